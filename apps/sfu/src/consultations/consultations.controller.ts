import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CONSULTATION_DETAIL_VIEW, CONSULTATION_VIEW, JOIN_TICKET, RECORDING_VIEW } from '#contracts';
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
import { AppConfig, CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { Inject } from '@nestjs/common';
import { RecordingsService } from '../recording/recordings.service.js';
import { RoomsService } from '../room/rooms.service.js';
import { ConsultationsService } from './consultations.service.js';

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
  @ApiCreatedResponse({ description: 'the consultation created', schema: CONSULTATION_VIEW })
  create(
    @CurrentActor() actor: Actor,
    @ValidBody(CreateConsultationRequestSchema) body: CreateConsultationRequest,
  ): Promise<ConsultationView> {
    return this.consultations.create(actor, body);
  }

  @Get()
  @RequirePermission('consultation.join')
  @ApiOkResponse({
    description: "consultations in the caller's scope, newest first",
    schema: { type: 'array', items: CONSULTATION_VIEW },
  })
  list(
    @CurrentActor() actor: Actor,
    @ValidQuery(ListConsultationsQuerySchema) query: ListConsultationsQuery,
  ): Promise<ConsultationView[]> {
    return this.consultations.list(actor, query);
  }

  @Get(':id')
  @RequirePermission('consultation.join')
  @ApiOkResponse({
    description: 'the consultation with attendance, roll calls and recordings',
    schema: CONSULTATION_DETAIL_VIEW,
  })
  get(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<ConsultationDetailView> {
    return this.consultations.detail(actor, id);
  }

  /** Checks the actor may join and hands out what the client needs to connect to `/sfu`. */
  @Post(':id/join')
  @HttpCode(200)
  @RequirePermission('consultation.join')
  @ApiOkResponse({ description: 'a ticket to join on the /sfu Socket.IO namespace', schema: JOIN_TICKET })
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
  @ApiOkResponse({ description: 'the ended consultation', schema: CONSULTATION_VIEW })
  async end(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<ConsultationView> {
    await this.consultations.loadForModerator(actor, id);
    const view = await this.consultations.end(actor, id);
    if (this.recordings.isRecording(id)) await this.recordings.stop(id, actor);
    this.rooms.close(id, 'ended');
    return view;
  }

  @Post(':id/recordings')
  @HttpCode(201)
  @RequirePermission('consultation.join')
  @ApiCreatedResponse({ description: 'the recording started', schema: RECORDING_VIEW })
  async startRecording(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<RecordingView> {
    await this.consultations.loadForModerator(actor, id);
    return this.recordings.start(actor, id);
  }

  @Post(':id/recordings/stop')
  @HttpCode(200)
  @RequirePermission('consultation.join')
  @ApiOkResponse({ description: 'the recording stopped', schema: RECORDING_VIEW })
  async stopRecording(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<RecordingView> {
    await this.consultations.loadForModerator(actor, id);
    return this.recordings.stop(id, actor);
  }

  @Get(':id/recordings')
  @RequirePermission('consultation.join')
  @ApiOkResponse({
    description: "the consultation's recordings",
    schema: { type: 'array', items: RECORDING_VIEW },
  })
  async listRecordings(
    @CurrentActor() actor: Actor,
    @Param('id', uuid) id: string,
  ): Promise<RecordingView[]> {
    await this.consultations.loadVisible(actor, id);
    return this.recordings.list(id);
  }
}
