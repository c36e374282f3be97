import { Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SmokeDbQuery } from './smoke-db.query.js';
import { SmokeService } from './smoke.service.js';

@ApiTags('smoke')
@Controller('api/smoke')
export class SmokeController {
  constructor(private readonly smoke: SmokeService) {}

  @Post('db')
  @HttpCode(200)
  db(@Query() query: SmokeDbQuery) {
    return this.smoke.run(query.ops, query.type);
  }
}
