import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { TaskIdPipe } from '../common/task-id.pipe.js';
import { CreateTaskDto } from './dto/create-task.dto.js';
import { ListTasksQuery } from './dto/list-tasks.query.js';
import { UpdateTaskDto } from './dto/update-task.dto.js';
import { TasksService } from './tasks.service.js';

@ApiTags('tasks')
@Controller('api/tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  list(@Query() query: ListTasksQuery) {
    return this.tasks.list(query);
  }

  @Get(':id')
  get(@Param('id', TaskIdPipe) id: number) {
    return this.tasks.get(id);
  }

  @Post()
  @HttpCode(201)
  create(@Body() body: CreateTaskDto) {
    return this.tasks.create(body);
  }

  @Put(':id')
  update(@Param('id', TaskIdPipe) id: number, @Body() body: UpdateTaskDto) {
    return this.tasks.update(id, body);
  }

  @Delete(':id')
  remove(@Param('id', TaskIdPipe) id: number) {
    return this.tasks.remove(id);
  }
}
