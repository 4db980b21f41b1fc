import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PlanAction, ResponseLevel } from '#contracts';
import { levelLabel } from '#domain';
import { DirectiveTemplatesRepository } from '../../directives/templates/directive-templates.repository.js';
import type { NoticeSpec } from './response-runner.js';
import type { NewResponseAction } from './responses.repository.js';

/**
 * The response_actions rows a start, a level change or an end writes (pending, before any
 * runs), each with the line the board shows for it.
 */
@Injectable()
export class NewActions {
  constructor(private readonly templates: DirectiveTemplatesRepository) {}

  notice(level: ResponseLevel, kind: 'level-change' | 'end', spec: NoticeSpec): NewResponseAction {
    return { id: randomUUID(), level, kind, title: spec.title, spec };
  }

  async of(level: ResponseLevel, actions: PlanAction[], planName: string): Promise<NewResponseAction[]> {
    const out: NewResponseAction[] = [];
    for (const a of actions)
      out.push({
        id: randomUUID(),
        level,
        kind: a.kind,
        title: await this.titleOf(a, planName, level),
        spec: a,
      });
    return out;
  }

  private async titleOf(a: PlanAction, planName: string, level: ResponseLevel): Promise<string> {
    switch (a.kind) {
      case 'directive':
        return (a.templateId ? (await this.templates.find(a.templateId))?.title : a.title) ?? '指令';
      case 'consultation':
        return (a.title ?? `${planName}${levelLabel(level)}应急响应会商`).slice(0, 200);
      case 'alert-teams':
        return `调集应急队伍（${a.teamIds.length}支）`;
      case 'warning':
        return a.headline;
      case 'duty':
        return `加强值班值守（${levelLabel(level)}响应）`;
    }
  }
}
