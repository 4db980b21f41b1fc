import { readFileSync } from 'node:fs';
import { Controller, Get, Header, NotFoundException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '#platform';

/** Built by scripts/build-sfu-client.mjs beside the compiled server: dist/apps/sfu/client/. */
const CLIENT_DIR = new URL('../client/', import.meta.url);

function asset(name: string): string {
  try {
    return readFileSync(new URL(name, CLIENT_DIR), 'utf8');
  } catch {
    throw new NotFoundException('the SFU client is not built: run npm run build');
  }
}

/**
 * A minimal browser client for consultations (the console embeds the same client module).
 * Public: it is static code; every action it takes needs the user's token.
 */
@ApiExcludeController()
@Controller('sfu/client')
export class ClientPageController {
  @Get()
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  page(): string {
    return asset('index.html');
  }

  @Get('sfu-client.js')
  @Public()
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'no-cache')
  bundle(): string {
    return asset('sfu-client.js');
  }

  @Get('sfu-client.css')
  @Public()
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'no-cache')
  styles(): string {
    return asset('sfu-client.css');
  }
}
