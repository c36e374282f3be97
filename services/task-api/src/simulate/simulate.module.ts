import { Module } from '@nestjs/common';
import { SimulateController } from './simulate.controller.js';

@Module({ controllers: [SimulateController] })
export class SimulateModule {}
