import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../../lib/errors';

/** An address a URL's host resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** A webhook URL that passed the policy, with the address to connect to. */
export interface CheckedUrl {
  url: URL;
  /** Connect here, not to a fresh lookup: the host cannot swap in a private address between check and connect. */
  address: ResolvedAddress;
}

export type HostResolver = (host: string) => Promise<ResolvedAddress[]>;

const systemResolver: HostResolver = async (host) => {
  const found = await dnsLookup(host, { all: true, verbatim: true });
  return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

/**
 * Where webhooks may not go: private, loopback, link-local, unique-local,
 * carrier-grade NAT, multicast, documentation and reserved ranges, v4 and v6
 * (a v4-mapped v6 address is judged by its v4 address).
 */
const BLOCKED = (() => {
  const list = new BlockList();
  const v4: [string, number][] = [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ];
  const v6: [string, number][] = [
    ['::', 128],
    ['::1', 128],
    ['64:ff9b::', 96],
    ['100::', 64],
    ['2001:db8::', 32],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ];
  for (const [network, prefix] of v4) {
    list.addSubnet(network, prefix, 'ipv4');
  }
  for (const [network, prefix] of v6) {
    list.addSubnet(network, prefix, 'ipv6');
  }
  return list;
})();

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** True when webhooks may be sent to `address` with private addresses refused. */
export function isPublicAddress(address: string): boolean {
  const mapped = MAPPED_V4.exec(address)?.[1];
  if (mapped !== undefined) {
    return isPublicAddress(mapped);
  }
  const family = isIP(address);
  if (family === 0) {
    return false;
  }
  return !BLOCKED.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

function urlNotAllowed(message: string): AppError {
  return new AppError(400, 'url_not_allowed', message);
}

/**
 * The SSRF guard of webhooks: an http(s) URL without credentials whose host
 * resolves only to public addresses, unless the operator allows private ones
 * (`WEBHOOK_ALLOW_PRIVATE=on`). Checked when an endpoint is made and again
 * before every attempt, as DNS answers change.
 */
export class WebhookUrlPolicy {
  constructor(
    private readonly allowPrivate: boolean,
    private readonly resolve: HostResolver = systemResolver,
  ) {}

  /** The URL and the address to connect to; 400 url_not_allowed when it may not be used. */
  async check(raw: string): Promise<CheckedUrl> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw urlNotAllowed('The webhook URL is not a valid URL.');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw urlNotAllowed('The webhook URL must use http or https.');
    }
    if (url.username !== '' || url.password !== '') {
      throw urlNotAllowed('The webhook URL must not hold credentials.');
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: ResolvedAddress[];
    const literal = isIP(host);
    if (literal !== 0) {
      addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
    } else {
      try {
        addresses = await this.resolve(host);
      } catch {
        throw urlNotAllowed(`The webhook host ${host} does not resolve.`);
      }
    }
    const [first] = addresses;
    if (first === undefined) {
      throw urlNotAllowed(`The webhook host ${host} does not resolve.`);
    }
    if (!this.allowPrivate && !addresses.every((entry) => isPublicAddress(entry.address))) {
      throw urlNotAllowed('The webhook URL resolves to a private, loopback or link-local address.');
    }
    return { url, address: first };
  }
}
