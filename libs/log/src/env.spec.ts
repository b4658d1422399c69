import { ConfigError, flag, int, num, oneOf, required, seconds, url } from './env';

const fails = (fn: () => unknown, message: string) => {
  expect(fn).toThrow(ConfigError);
  expect(fn).toThrow(message);
};

describe('int', () => {
  it('takes the default when the variable is unset or empty', () => {
    expect(int({}, 'N', 7)).toBe(7);
    expect(int({ N: '' }, 'N', 7)).toBe(7);
  });

  it('reads decimal digits within the bounds', () => {
    expect(int({ N: '0' }, 'N', 7)).toBe(0);
    expect(int({ N: '65535' }, 'N', 7, { min: 1, max: 65535 })).toBe(65535);
  });

  it('names the variable, what it accepts and what it got', () => {
    fails(() => int({ N: '0' }, 'N', 7, { min: 1 }), 'N must be an integer ≥ 1, got "0"');
    fails(() => int({ N: '70000' }, 'N', 7, { min: 1, max: 65535 }), 'N must be an integer from 1 to 65535, got "70000"');
    fails(() => int({ N: '1.5' }, 'N', 7), 'N must be an integer, got "1.5"');
  });

  it.each(['abc', '1e3', '0x10', '12abc', ' '])('refuses %j', (v) => {
    expect(() => int({ N: v }, 'N', 7)).toThrow(ConfigError);
  });
});

describe('num and seconds', () => {
  it('read fractions', () => {
    expect(num({ R: '0.1' }, 'R', 1, { min: 0 })).toBe(0.1);
    expect(seconds({ S: '0.5' }, 'S', 1)).toBe(0.5);
    expect(seconds({}, 'S', 30)).toBe(30);
  });

  it('refuses what is not a number, and negative durations', () => {
    fails(() => num({ R: 'fast' }, 'R', 1), 'R must be a number, got "fast"');
    fails(() => seconds({ S: '-1' }, 'S', 1), 'S must be a number of seconds ≥ 0, got "-1"');
    fails(() => seconds({ S: '0.05' }, 'S', 1, { min: 0.1 }), 'S must be a number of seconds ≥ 0.1, got "0.05"');
    fails(() => num({ R: '2' }, 'R', 1, { min: 0.01, max: 1 }), 'R must be a number from 0.01 to 1, got "2"');
    fails(() => num({ R: '0' }, 'R', 1, { over: 0, max: 1 }), 'R must be a number > 0 and ≤ 1, got "0"');
    fails(() => num({ R: '0' }, 'R', 1, { over: 0 }), 'R must be a number > 0, got "0"');
  });
});

describe('flag', () => {
  it.each([
    ['on', true],
    ['off', false],
    ['1', true],
    ['0', false],
    ['true', true],
    ['false', false],
    ['ON', true],
  ])('reads %j as %s', (v, want) => {
    expect(flag({ F: v }, 'F', !want)).toBe(want);
  });

  it('takes the default when unset', () => {
    expect(flag({}, 'F', true)).toBe(true);
    expect(flag({ F: '' }, 'F', false)).toBe(false);
  });

  it('refuses anything else, asking for on or off', () => {
    fails(() => flag({ F: 'yes' }, 'F', true), 'F must be "on" or "off", got "yes"');
  });
});

describe('oneOf', () => {
  it('returns one of the words', () => {
    expect(oneOf({ M: 'b' }, 'M', 'a', ['a', 'b'] as const)).toBe('b');
    expect(oneOf({}, 'M', 'a', ['a', 'b'] as const)).toBe('a');
  });

  it('lists the words it accepts', () => {
    fails(() => oneOf({ M: 'd' }, 'M', 'a', ['a', 'b', 'c']), 'M must be "a", "b" or "c", got "d"');
  });
});

describe('url', () => {
  it('accepts the listed schemes and drops trailing slashes', () => {
    expect(url({ U: 'https://api.example:6443/' }, 'U', '', ['https'])).toBe('https://api.example:6443');
    expect(url({}, 'U', 'redis://127.0.0.1:6379', ['redis', 'rediss'])).toBe('redis://127.0.0.1:6379');
  });

  it('refuses other schemes and what is not a URL, saying why when told', () => {
    fails(
      () => url({ U: 'http://api:6443' }, 'U', '', ['https'], 'no tokens over plain HTTP'),
      'U must be a URL starting with https:// (no tokens over plain HTTP), got "http://api:6443"',
    );
    fails(() => url({}, 'U', '', ['https']), 'U must be a URL starting with https://, got ""');
    fails(() => url({ U: 'api:6443' }, 'U', '', ['postgres', 'postgresql']), 'U must be a URL starting with postgres:// or postgresql://');
  });
});

describe('required', () => {
  it('returns the value or says how to set it', () => {
    expect(required({ K: 'v' }, 'K', 'export it')).toBe('v');
    fails(() => required({ K: '' }, 'K', 'export it'), 'K is not set: export it');
  });
});
