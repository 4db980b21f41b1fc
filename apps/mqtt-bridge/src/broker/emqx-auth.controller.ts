import { timingSafeEqual } from 'node:crypto';
import { Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { z } from 'zod';
import { deviceMaySubscribe, devicePublishDenial } from '#domain';
import { AppConfig, DomainError, Public, ValidBody } from '#platform';
import { BridgeMetrics } from '../bridge/bridge-metrics.js';
import { TerminalRegistry } from '../bridge/terminal-registry.js';
import { hashTerminalSecret, verifyTerminalSecret } from '#terminals';

/**
 * EMQX 5 HTTP authenticator and authorizer. Configure EMQX to POST JSON with the
 * placeholders below and the header `Authorization: Bearer ${MQTT_HTTP_AUTH_TOKEN}`;
 * answers are 200 with {"result": "allow" | "deny"} as EMQX expects.
 */
const AuthnBody = z.object({
  clientid: z.string().max(256),
  username: z.string().max(256).optional(),
  password: z.string().max(1024).optional(),
});
const AuthzBody = z.object({
  clientid: z.string().max(256),
  username: z.string().max(256).optional(),
  topic: z.string().max(65535),
  action: z.enum(['publish', 'subscribe', 'all']),
  retain: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  payload_size: z.coerce.number().int().min(0).optional(),
});

type Result = { result: 'allow' | 'deny'; is_superuser?: boolean };

@ApiExcludeController()
@Controller('api/v1/mqtt/emqx')
export class EmqxAuthController {
  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly registry: TerminalRegistry,
    private readonly metrics: BridgeMetrics,
  ) {}

  private check(authorization: string | undefined): void {
    const token = this.config.raw.MQTT_HTTP_AUTH_TOKEN;
    if (!token) throw new DomainError('not_found', 'EMQX HTTP auth is off (MQTT_HTTP_AUTH_TOKEN is not set)');
    const given = Buffer.from(authorization?.startsWith('Bearer ') ? authorization.slice(7) : '');
    const want = Buffer.from(token);
    if (given.length !== want.length || !timingSafeEqual(given, want))
      throw new DomainError('unauthenticated', 'bad token');
  }

  private isBridge(username: string | undefined): boolean {
    return username === this.config.raw.MQTT_USERNAME;
  }

  @Post('authn')
  @Public()
  @HttpCode(200)
  async authenticate(
    @Headers('authorization') authorization: string | undefined,
    @ValidBody(AuthnBody) body: z.infer<typeof AuthnBody>,
  ): Promise<Result> {
    this.check(authorization);
    const { MQTT_PASSWORD, MQTT_USERNAME } = this.config.raw;
    if (this.isBridge(body.username)) {
      const ok =
        !!MQTT_PASSWORD &&
        !!body.password &&
        verifyTerminalSecret(body.password, hashOnce(MQTT_PASSWORD, MQTT_USERNAME));
      if (!ok) this.metrics.reject('auth_failed');
      return ok ? { result: 'allow', is_superuser: false } : { result: 'deny' };
    }
    const reason = await this.registry.authenticate(
      body.clientid,
      body.username,
      body.password ? Buffer.from(body.password) : undefined,
    );
    if (reason) {
      this.metrics.reject(reason);
      return { result: 'deny' };
    }
    return { result: 'allow', is_superuser: false };
  }

  @Post('authz')
  @Public()
  @HttpCode(200)
  authorize(
    @Headers('authorization') authorization: string | undefined,
    @ValidBody(AuthzBody) body: z.infer<typeof AuthzBody>,
  ): Result {
    this.check(authorization);
    if (this.isBridge(body.username))
      return { result: body.topic.startsWith('yihu/v1/terminals/') ? 'allow' : 'deny' };
    if (body.username !== body.clientid || !this.registry.isLive(body.clientid)) {
      this.metrics.reject('topic_denied');
      return { result: 'deny' };
    }
    const kind = this.registry.kindOf(body.clientid) ?? 'push';
    if (body.action === 'subscribe') {
      if (deviceMaySubscribe(body.clientid, body.topic, kind)) return { result: 'allow' };
      this.metrics.reject('subscribe_denied');
      return { result: 'deny' };
    }
    if (body.action === 'all') return { result: 'deny' };
    const retain = body.retain === true || body.retain === 'true';
    const denial = devicePublishDenial(body.clientid, body.topic, body.payload_size ?? 0, retain, kind);
    if (denial) {
      this.metrics.reject(denial);
      return { result: 'deny' };
    }
    return { result: 'allow' };
  }
}

// the bridge password is compared through the same hash as terminal secrets (constant time)
const bridgeHashes = new Map<string, string>();
function hashOnce(password: string, username: string): string {
  const key = `${username}\0${password}`;
  let hash = bridgeHashes.get(key);
  if (!hash) {
    hash = hashTerminalSecret(password);
    bridgeHashes.set(key, hash);
  }
  return hash;
}
