/**
 * IP address and CIDR matching for `ip <address or CIDR>` (DESIGN.md, "The query language").
 *
 * CloudTrail's `sourceIPAddress` is not always an address: it can be an AWS service name
 * (`cloudformation.amazonaws.com`), `AWS Internal`, or (in scrambled test corpora) `035.249.253.232`. Parsing is
 * strict so none of those ever matches: IPv4 must be four decimal parts without leading zeros (ipaddr.js alone also
 * accepts `0x7f.1` or octal-looking parts), an IPv4 tail inside IPv6 likewise, and a prefix length is plain decimal.
 * An IPv4-mapped IPv6 address (`::ffff:203.0.113.7`) counts as its IPv4 address; so does the deprecated
 * IPv4-compatible form `::203.0.113.7`, which ipaddr.js reads as mapped.
 *
 * Pure. Never throws.
 */
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

interface Range {
  address: Address;
  bits: number;
}

const FOUR_PART_DECIMAL = /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/;
const PREFIX_LENGTH = /^(0|[1-9]\d{0,2})$/;
/** Longest text worth parsing: a full IPv6 address with an IPv4 tail, a zone id and a prefix. */
const MAX_SPEC_LENGTH = 100;

/** Parses one address strictly; null when `text` is not an IPv4 or IPv6 address. */
export function parseIpAddress(text: string): Address | null {
  if (text.length === 0 || text.length > MAX_SPEC_LENGTH) return null;
  try {
    if (FOUR_PART_DECIMAL.test(text)) {
      return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : null;
    }
    if (!text.includes(':') || !ipaddr.IPv6.isValid(text)) return null;
    const withoutZone = text.split('%')[0] ?? '';
    const lastColon = withoutZone.lastIndexOf(':');
    const tail = withoutZone.slice(lastColon + 1);
    if (tail.includes('.') && !FOUR_PART_DECIMAL.test(tail)) return null;
    const address = ipaddr.IPv6.parse(text);
    return address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
  } catch {
    return null;
  }
}

/** Parses an address (a /32 or /128 range) or a CIDR block strictly; null when `spec` is neither. */
export function parseIpSpec(spec: string): Range | null {
  if (spec.length === 0 || spec.length > MAX_SPEC_LENGTH) return null;
  const slash = spec.indexOf('/');
  if (slash === -1) {
    const address = parseIpAddress(spec);
    if (address === null) return null;
    return { address, bits: address.kind() === 'ipv4' ? 32 : 128 };
  }
  const addressText = spec.slice(0, slash);
  const prefixText = spec.slice(slash + 1);
  if (!PREFIX_LENGTH.test(prefixText)) return null;
  const address = parseIpAddress(addressText);
  if (address === null) return null;
  let bits = Number(prefixText);
  // `::ffff:10.0.0.0/104` was written in IPv6 terms but parseIpAddress turned the address into IPv4.
  const writtenAsV6 = addressText.includes(':');
  if (writtenAsV6 && address.kind() === 'ipv4') {
    if (bits > 128) return null;
    bits = Math.max(0, bits - 96);
  }
  const max = address.kind() === 'ipv4' ? 32 : 128;
  if (bits > max) return null;
  return { address, bits };
}

/** True when `spec` is an IP address or CIDR block the `ip` verb accepts. */
export function isIpSpec(spec: string): boolean {
  return parseIpSpec(spec) !== null;
}

/**
 * Returns a predicate telling whether a CloudTrail `sourceIPAddress` lies in `spec` (an address or CIDR block,
 * IPv4 or IPv6). An invalid `spec` gives a predicate that is always false; a non-address input is never a match.
 */
export function ipMatcher(spec: string): (ip: string) => boolean {
  const range = typeof spec === 'string' ? parseIpSpec(spec.trim()) : null;
  if (range === null) return () => false;
  return (ip: string): boolean => {
    if (typeof ip !== 'string') return false;
    const address = parseIpAddress(ip.trim());
    if (address === null || address.kind() !== range.address.kind()) return false;
    try {
      return address.match(range.address, range.bits);
    } catch {
      return false;
    }
  };
}
