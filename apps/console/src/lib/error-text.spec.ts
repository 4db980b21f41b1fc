import { describe, expect, it } from '@jest/globals';
import { localizeError, localizeOther } from './error-text.js';

// no document here: the console's first language (zh-CN) applies
const LATIN_WORD = /[A-Za-z]{4,}/;

describe('server errors in the reader language', () => {
  it('says the login refusal and the targets refusal in Chinese', () => {
    const login = localizeError({
      status: 401,
      code: 'unauthenticated',
      path: '/auth/login',
      message: 'wrong username or password',
    });
    expect(login).toBe('用户名或密码错误');
    const targets = localizeError({
      status: 400,
      code: 'invalid',
      path: '/directives',
      message: 'targets: choose all: true, siteIds or groupIds',
      fields: [{ path: 'targets', message: 'choose all: true, siteIds or groupIds' }],
    });
    expect(targets).toBe('请选择下发对象：全部乡镇、指定单位或分组');
  });

  it('translates fields, codes and statuses it has no sentence for, never passing English through', () => {
    const field = localizeError({
      status: 400,
      code: 'invalid',
      message: 'title: Too big: expected string to have <=200 characters',
      fields: [{ path: 'title', message: 'Too big: expected string to have <=200 characters' }],
    });
    expect(field).toBe('标题：内容过长');
    const cases = [
      { status: 403, code: 'forbidden', message: 'role dispatcher may not manage users' },
      { status: 409, message: 'something new went wrong' },
      { status: 502, message: 'Bad Gateway' },
      { status: 400, fields: [{ path: 'weird', message: 'Invalid input' }], message: 'weird: Invalid input' },
    ];
    for (const c of cases) expect(localizeError(c)).not.toMatch(LATIN_WORD);
    expect(localizeError(cases[0]!)).toBe('无权执行此操作');
  });

  it('names a lost network and hides English from socket answers', () => {
    expect(localizeOther(new TypeError('Failed to fetch'))).toBe('网络连接失败，请检查网络后重试');
    expect(localizeOther(new Error('directive abc is not waiting for this directive'))).toBe(
      '该单位已签收、已过期或不在下发对象中',
    );
    expect(localizeOther(new Error('unexpected thing'))).toBe('操作失败，请重试');
    expect(localizeOther(new Error('已在本地排队'))).toBe('已在本地排队');
  });
});
