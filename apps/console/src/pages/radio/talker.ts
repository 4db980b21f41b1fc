import type { RadioTalker } from '#contracts';
import type { MessageKey } from '../../i18n/index.js';

/** 「电台 甲」, 「调度台 张三」: who talks, by kind and name. */
export function talkerText(t: (k: MessageKey) => string, talker: RadioTalker): string {
  return `${t(`radio.kind.${talker.kind}` as MessageKey)} ${talker.name}`;
}
