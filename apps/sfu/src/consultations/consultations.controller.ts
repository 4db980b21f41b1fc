import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  CreateConsultationRequestSchema,
  ListConsultationsQuerySchema,
  type ConsultationDetailView,
  type ConsultationView,
  type CreateConsultationRequest,
  type JoinTicket,
  type ListConsultationsQuery,
  type RecordingView,
} from '#contracts';
import type { Actor } from '#domain';
import { AppConfig, CurrentActor, RequirePermission, ZodPipe } from '#platform';
import { Inject } from '@nestjs/common';
import { RecordingsService } from '../recording/recordings.service.js';
import { RoomsService } from '../room/rooms.service.js';
import { ConsultationsService } from './consultations.service.js';

const schema = (s: z.ZodType) => ({ schema: z.toJSONSchema(s, { unrepresentable: 'any' }) as object });
const uuid = new ParseUUIDPipe();

/** 视频会商: create or schedule, list, join, end; recordings. Media signalling is on Socket.IO `/sfu`. */
@ApiTags('consultations')
@ApiBearerAuth()
@Controller('api/v1/consultations')
export class ConsultationsController {
  constructor(
    private readonly consultations: ConsultationsService,
    private readonly rooms: RoomsService,
    private readonly recordings: RecordingsService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  @Post()
  @RequirePermission('consultation.create')
  @ApiBody(schema(CreateConsultationRequestSchema))
  create(
    @CurrentActor() actor: Actor,
    @Body(new ZodPipe(CreateConsultationRequestSchema)) body: CreateConsultationRequest,
  ): Promise<ConsultationView> {
    return this.consultations.create(actor, body);
  }

  @Get()
  @RequirePermission('consultation.join')
  list(
    @CurrentActor() actor: Actor,
    @Query(new ZodPipe(ListConsultationsQuerySchema)) query: ListConsultationsQuery,
  ): Promise<ConsultationView[]> {
    return this.consultations.list(actor, query);
  }

  @Get(':id')
  @RequirePermission('consultation.join')
  get(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<ConsultationDetailView> {
    return this.consultations.detail(actor, id);
  }

  /** Checks the actor may join and hands out what the client needs to connect to `/sfu`. */
  @Post(':id/join')
  @HttpCode(200)
  @RequirePermission('consultation.join')
  async join(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<JoinTicket> {
    const c = await this.consultations.loadForJoin(actor, id);
    return {
      consultationId: id,
      namespace: '/sfu',
      moderator: c.moderator,
      iceServers: this.config.raw.SFU_ICE_SERVERS,
    };
  }

  @Post(':id/end')
  @HttpCode(200)
  @RequirePermission('consultation.join')
  async end(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<ConsultationView> {
    await this.consultations.loadForModerator(actor, id);
    const view = await this.consultations.end(id);
    if (this.recordings.isRecording(id)) await this.recordings.stop(id);
    this.rooms.close(id, 'ended');
    return view;
  }

  @Post(':id/recordings')
  @HttpCode(201)
  @RequirePermission('consultation.join')
  async startRecording(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<RecordingView> {
    await this.consultations.loadForModerator(actor, id);
    return this.recordings.start(actor, id);
  }

  @Post(':id/recordings/stop')
  @HttpCode(200)
  @RequirePermission('consultation.join')
  async stopRecording(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<RecordingView> {
    await this.consultations.loadForModerator(actor, id);
    return this.recordings.stop(id);
  }

  @Get(':id/recordings')
  @RequirePermission('consultation.join')
  async listRecordings(
    @CurrentActor() actor: Actor,
    @Param('id', uuid) id: string,
  ): Promise<RecordingView[]> {
    await this.consultations.loadVisible(actor, id);
    return this.recordings.list(id);
  }
}
