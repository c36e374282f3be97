import { Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-responses.js';
import { SmokeDbQuery } from './smoke-db.query.js';
import { SmokeResultDto } from './smoke-result.dto.js';
import { SmokeService } from './smoke.service.js';

@ApiTags('smoke')
@Controller('api/smoke')
export class SmokeController {
  constructor(private readonly smoke: SmokeService) {}

  @Post('db')
  @HttpCode(200)
  @ApiOkResponse({ type: SmokeResultDto })
  @ApiErrors(400, 429, 503)
  db(@Query() query: SmokeDbQuery) {
    return this.smoke.run(query.ops, query.type);
  }
}
