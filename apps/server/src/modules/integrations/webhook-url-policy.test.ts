import { describe, expect, it } from 'vitest';
import { isAppError } from '../../lib/errors';
import { isPublicAddress, WebhookUrlPolicy, type ResolvedAddress } from './webhook-url-policy';

describe('webhook URL policy', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.10',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fd12:3456::1',
    'fc00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    'not an address',
  ])('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );

  const resolving =
    (answers: Record<string, ResolvedAddress[]>) =>
    (host: string): Promise<ResolvedAddress[]> => {
      const found = answers[host];
      return found === undefined ? Promise.reject(new Error('ENOTFOUND')) : Promise.resolve(found);
    };

  async function refusal(policy: WebhookUrlPolicy, url: string): Promise<string> {
    try {
      await policy.check(url);
    } catch (error) {
      if (isAppError(error)) {
        return `${error.status} ${error.code}`;
      }
      throw error;
    }
    return 'allowed';
  }

  it('refuses a host with any private address among its answers, and one that does not resolve', async () => {
    const policy = new WebhookUrlPolicy(
      false,
      resolving({
        'hooks.example.com': [{ address: '93.184.216.34', family: 4 }],
        'mixed.example.com': [
          { address: '93.184.216.34', family: 4 },
          { address: '10.0.0.5', family: 4 },
        ],
      }),
    );
    expect(await refusal(policy, 'https://hooks.example.com/loadline')).toBe('allowed');
    expect(await refusal(policy, 'https://mixed.example.com/loadline')).toBe('400 url_not_allowed');
    expect(await refusal(policy, 'https://missing.example.com/loadline')).toBe('400 url_not_allowed');
    expect(await refusal(policy, 'http://[::1]:8080/')).toBe('400 url_not_allowed');
    expect(await refusal(policy, 'file:///etc/passwd')).toBe('400 url_not_allowed');
    expect(await refusal(policy, 'not a url')).toBe('400 url_not_allowed');
  });

  it('connects to the address it checked, and allows private ones when the operator says so', async () => {
    const answers = { 'internal.example': [{ address: '10.0.0.7', family: 4 as const }] };
    expect(await refusal(new WebhookUrlPolicy(false, resolving(answers)), 'http://internal.example/')).toBe(
      '400 url_not_allowed',
    );
    const checked = await new WebhookUrlPolicy(true, resolving(answers)).check(
      'http://internal.example/hook',
    );
    expect(checked.address).toEqual({ address: '10.0.0.7', family: 4 });
    expect(checked.url.href).toBe('http://internal.example/hook');
  });
});
