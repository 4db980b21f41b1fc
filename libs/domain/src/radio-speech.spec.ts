import { describe, expect, it } from '@jest/globals';
import {
  cancelSpeech,
  digitsSpoken,
  directiveSpeech,
  dtmfKeysSpoken,
  serialSpoken,
  speakableText,
  SPOKEN_BODY_MAX_CHARS,
  SPOKEN_TITLE_MAX_CHARS,
  updateSpeech,
} from './radio-speech.js';

describe('what a directive sounds like on air', () => {
  it('reads a serial group by group with the unmistakable digits', () => {
    expect(serialSpoken('2026-0042')).toBe('二零二六 杠 零零四二');
    expect(serialSpoken('2027-1717')).toBe('二零二拐 杠 幺拐幺拐');
    expect(serialSpoken('2026-12345')).toBe('二零二六 杠 幺二三四五');
  });

  it('reads a code key by key, # as 井号', () => {
    expect(dtmfKeysSpoken('0042#')).toBe('零 零 四 二 井号');
    expect(digitsSpoken('17')).toBe('幺 拐');
    expect(digitsSpoken('a1-')).toBe('幺');
  });

  it('says level, serial, title, body and the 签收 code', () => {
    const text = directiveSpeech(
      { serial: '2026-0042', level: 'red', title: '防汛', body: '立即转移低洼地区群众', drill: false },
      '0042#',
    );
    expect(text).toBe(
      '红色等级指令。编号 二零二六 杠 零零四二。标题：防汛。立即转移低洼地区群众。请在对讲机上按 零 零 四 二 井号 键签收。',
    );
  });

  it('says 演练 first for a drill and names each level in words', () => {
    const d = { serial: '2026-0001', title: 't', body: 'b', drill: true };
    expect(directiveSpeech({ ...d, level: 'orange' }, '0001#')).toMatch(/^演练，演练。橙色等级指令/);
    expect(directiveSpeech({ ...d, level: 'yellow', drill: false }, '0001#')).toMatch(/^黄色等级指令/);
    expect(directiveSpeech({ ...d, level: 'blue', drill: false }, '0001#')).toMatch(/^蓝色等级指令/);
  });

  it('says a re-delivery is one: the site has not acknowledged yet', () => {
    const d = { serial: '2026-0042', level: 'red' as const, title: 't', body: 'b', drill: false };
    expect(directiveSpeech({ ...d, redelivery: 1 }, '0042#')).toMatch(/^尚未签收，再次通知。红色等级指令/);
    expect(directiveSpeech({ ...d, redelivery: 0 }, '0042#')).toMatch(/^红色等级指令/);
  });

  it('does not double the full stop after a body that ends in one', () => {
    const text = directiveSpeech(
      { serial: '2026-0002', level: 'blue', title: '通知', body: '请注意。', drill: false },
      '0002#',
    );
    expect(text).toContain('请注意。请在对讲机上按');
    expect(text).not.toContain('。。');
  });

  it('cuts title and body to what fits one transmission, shorter on request', () => {
    const d = {
      serial: '2026-0003',
      level: 'red' as const,
      title: '题'.repeat(80),
      body: '文'.repeat(500),
      drill: false,
    };
    const full = directiveSpeech(d, '0003#');
    expect(full).toContain('题'.repeat(SPOKEN_TITLE_MAX_CHARS) + '…');
    expect(full).not.toContain('文'.repeat(SPOKEN_BODY_MAX_CHARS + 1));
    expect(full).toContain('文'.repeat(SPOKEN_BODY_MAX_CHARS) + '…');
    const short = directiveSpeech(d, '0003#', 20);
    expect(short).toContain('文'.repeat(20) + '…');
    expect(short).not.toContain('文'.repeat(21));
    expect(short.endsWith('请在对讲机上按 零 零 零 三 井号 键签收。')).toBe(true);
  });

  it('turns line breaks into pauses, drops control characters and cuts a long body', () => {
    expect(speakableText('第一条\n\n第二条\t第三条\u0007', 100)).toBe('第一条，第二条，第三条');
    const long = '字'.repeat(SPOKEN_BODY_MAX_CHARS + 50);
    const spoken = speakableText(long, SPOKEN_BODY_MAX_CHARS);
    expect(spoken.startsWith('字'.repeat(SPOKEN_BODY_MAX_CHARS))).toBe(true);
    expect(spoken).not.toContain('字'.repeat(SPOKEN_BODY_MAX_CHARS + 1));
    expect(spoken).toContain('全文请在终端或控制台查看');
  });

  it('counts characters, not UTF-16 units, when cutting', () => {
    const emoji = '😀'.repeat(5);
    expect(speakableText(emoji, 5)).toBe(emoji);
    expect(speakableText(emoji, 4).startsWith('😀'.repeat(4) + '……')).toBe(true);
  });
});

describe('what a change or a withdrawal sounds like on air', () => {
  const d = { serial: '2026-0042', level: 'red' as const, title: '防汛', drill: false };

  it('says a change as one, names the order, and asks for no new 签收', () => {
    expect(updateSpeech(d, '转移范围扩大到沿河两岸。')).toBe(
      '指令变更。编号 二零二六 杠 零零四二。标题：防汛。变更内容：转移范围扩大到沿河两岸。',
    );
    expect(updateSpeech({ ...d, drill: true }, 'x')).toMatch(/^演练，演练。指令变更。/);
    expect(updateSpeech(d, 'x')).not.toContain('签收');
  });

  it('says a withdrawal, its reason when given, and that nothing is to be keyed', () => {
    expect(cancelSpeech(d, '雨情减弱')).toBe(
      '指令撤销。编号 二零二六 杠 零零四二。标题：防汛。撤销原因：雨情减弱。此指令已撤销，不再执行，无需签收。',
    );
    expect(cancelSpeech(d, null)).toBe(
      '指令撤销。编号 二零二六 杠 零零四二。标题：防汛。此指令已撤销，不再执行，无需签收。',
    );
    expect(cancelSpeech(d, '  ')).not.toContain('撤销原因');
  });

  it('cuts a long change to what fits one transmission', () => {
    const long = '变'.repeat(SPOKEN_BODY_MAX_CHARS + 50);
    const text = updateSpeech(d, long);
    expect([...text].filter((c) => c === '变').length).toBe(SPOKEN_BODY_MAX_CHARS + 2); // 指令变更, 变更内容, the cut text
    expect(text).toContain('全文请在终端或控制台查看');
  });
});
