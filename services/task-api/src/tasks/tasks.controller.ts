import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiCreatedResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-responses.js';
import { MAX_TASK_ID, TaskIdPipe } from '../common/task-id.pipe.js';
import { CreateTaskDto } from './dto/create-task.dto.js';
import { ListTasksQuery } from './dto/list-tasks.query.js';
import { DeletedDto, TaskDto, TaskListDto } from './dto/task.response.js';
import { UpdateTaskDto } from './dto/update-task.dto.js';
import { TasksService } from './tasks.service.js';

const TaskIdParam = () =>
  ApiParam({
    name: 'id',
    schema: { type: 'integer', minimum: 0, maximum: MAX_TASK_ID },
    description: 'the task id',
  });

@ApiTags('tasks')
@Controller('api/tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOkResponse({ type: TaskListDto })
  @ApiErrors(400, 503)
  list(@Query() query: ListTasksQuery) {
    return this.tasks.list(query);
  }

  @Get(':id')
  @TaskIdParam()
  @ApiOkResponse({ type: TaskDto })
  @ApiErrors(400, 404, 503)
  get(@Param('id', TaskIdPipe) id: number) {
    return this.tasks.get(id);
  }

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: TaskDto })
  @ApiErrors(400, 413, 415, 503)
  create(@Body() body: CreateTaskDto) {
    return this.tasks.create(body);
  }

  @Put(':id')
  @TaskIdParam()
  @ApiOkResponse({ type: TaskDto })
  @ApiErrors(400, 404, 413, 415, 503)
  update(@Param('id', TaskIdPipe) id: number, @Body() body: UpdateTaskDto) {
    return this.tasks.update(id, body);
  }

  @Delete(':id')
  @TaskIdParam()
  @ApiOkResponse({ type: DeletedDto })
  @ApiErrors(400, 404, 503)
  remove(@Param('id', TaskIdPipe) id: number) {
    return this.tasks.remove(id);
  }
}
