import { Module } from '@nestjs/common';
import { CapController } from './cap.controller.js';

/**
 * CAP 1.2 at the edge (issue 19): `POST /api/v1/cap/validate`. The warnings module imports
 * this one; the model, builder and validator are libs/cap (#cap), the XML body reader is
 * xml-body.ts (also for the warnings import).
 */
@Module({ controllers: [CapController] })
export class CapModule {}
