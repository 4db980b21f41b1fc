import { useCallback, useState } from 'react';

export type Theme = 'dark' | 'light';
const KEY = 'yihu.theme';

function stored(): Theme {
  try {
    return localStorage.getItem(KEY) === 'light' ? 'light' : 'dark';
  } catch {
    // storage refused (a locked-down browser profile): the night theme, every load
    return 'dark';
  }
}

/** Sets `<html data-theme>`; called before the first render too, so a bright screen never flashes dark. */
export function applyTheme(theme: Theme = stored()): void {
  document.documentElement.dataset.theme = theme;
}

/** Dark for night duty (the default), bright for daytime projection; remembered in this browser. */
export function useTheme(): { theme: Theme; toggle: () => void } {
  const [theme, setTheme] = useState<Theme>(stored);
  const toggle = useCallback(() => {
    setTheme((cur) => {
      const next: Theme = cur === 'dark' ? 'light' : 'dark';
      try {
        localStorage.setItem(KEY, next);
      } catch (err) {
        console.warn('theme not remembered', err);
      }
      applyTheme(next);
      return next;
    });
  }, []);
  return { theme, toggle };
}
