/**
 * What a password must be wherever one is set (user creation, ADMIN_PASSWORD). Login does
 * not apply it: an old weak password still logs in, so nobody is locked out by a rule
 * change; it is refused the next time it is set.
 */
export const PASSWORD_MIN_LENGTH = 8;

/**
 * The passwords tried first by every guessing tool and seen most in breach lists, with the
 * Chinese keyboard and pinyin favourites. Compared after NFKC and lower-casing, so `PASSWORD`
 * and full-width `１２３４５６７８` are the same entry.
 */
const DENY = new Set([
  '12345678',
  '123456789',
  '1234567890',
  '0123456789',
  '87654321',
  '11223344',
  '123123123',
  '12341234',
  '147258369',
  '123456abc',
  'abc12345',
  'abcd1234',
  'a1234567',
  'a12345678',
  'qwe12345',
  'password',
  'password1',
  'password123',
  'passw0rd',
  'p@ssw0rd',
  'p@ssword',
  'iloveyou',
  'qwertyui',
  'qwertyuiop',
  'qwerty123',
  '1qaz2wsx',
  '1q2w3e4r',
  '1q2w3e4r5t',
  'zaq12wsx',
  'asdfghjk',
  'asdf1234',
  'zxcvbnm1',
  'admin123',
  'admin1234',
  'admin888',
  'administrator',
  'root1234',
  'welcome1',
  'letmein1',
  'changeme',
  'woaini520',
  'woaini1314',
  '5201314520',
  'aa123456',
  'qq123456',
  'yihu1234',
  'yihu123456',
]);

export interface PasswordWeakness {
  /** English reason, e.g. for the API message */
  en: string;
  /** Chinese reason, shown first on the console */
  zh: string;
}

/** Why a password may not be set, or null when it is acceptable. */
export function passwordWeakness(password: string, username?: string): PasswordWeakness | null {
  const normalised = password.normalize('NFKC');
  if (normalised.trim() === '')
    return { en: 'the password may not be only spaces', zh: '密码不能只包含空格' };
  if ([...normalised].length < PASSWORD_MIN_LENGTH)
    return {
      en: `the password must be at least ${PASSWORD_MIN_LENGTH} characters`,
      zh: `密码至少需要 ${PASSWORD_MIN_LENGTH} 个字符`,
    };
  const lower = normalised.toLowerCase();
  if (username && lower.trim() === username.normalize('NFKC').toLowerCase().trim())
    return { en: 'the password may not be the username', zh: '密码不能与用户名相同' };
  if (DENY.has(lower)) return { en: 'the password is too common', zh: '密码过于常见' };
  // 11111111, abababab, 12121212: a long password of two or three characters is no stronger
  if (new Set(lower).size < 4)
    return {
      en: 'the password must use at least 4 different characters',
      zh: '密码至少需要包含 4 个不同的字符',
    };
  return null;
}

/** One line carrying both languages, zh-CN first as on the console. */
export function describeWeakness(w: PasswordWeakness): string {
  return `密码太弱：${w.zh} / weak password: ${w.en}`;
}
