import { Module } from '@nestjs/common';
import { SmokeController } from './smoke.controller.js';
import { SmokeService } from './smoke.service.js';

@Module({ controllers: [SmokeController], providers: [SmokeService] })
export class SmokeModule {}
