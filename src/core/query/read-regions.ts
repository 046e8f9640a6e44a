/**
 * `in <regions>`: one region code, a list joined by commas (`a,b`, `a, b` or `a ,b`), or `all`. Any code of the
 * right shape is accepted; a place name (`tokyo`) or a near miss of a known code gets a did-you-mean. Pure.
 */
import { looksLikeRegion, SUGGESTED_REGIONS } from '../aws-regions.js';
import { closestWord } from './closest-word.js';
import { type Failure, fail, replaceWords, splice } from './failure.js';
import { lookup } from './lookup.js';
import { regionRunEnd, valueAfter } from './modifiers.js';
import { quoteWord } from './quote-word.js';
import type { Token } from './tokenize.js';

/** Place names people type for a region. */
const REGION_BY_PLACE: Readonly<Record<string, string>> = {
  tokyo: 'ap-northeast-1',
  seoul: 'ap-northeast-2',
  osaka: 'ap-northeast-3',
  singapore: 'ap-southeast-1',
  sydney: 'ap-southeast-2',
  mumbai: 'ap-south-1',
  'hong-kong': 'ap-east-1',
  hongkong: 'ap-east-1',
  virginia: 'us-east-1',
  global: 'us-east-1',
  ohio: 'us-east-2',
  california: 'us-west-1',
  oregon: 'us-west-2',
  canada: 'ca-central-1',
  ireland: 'eu-west-1',
  london: 'eu-west-2',
  paris: 'eu-west-3',
  frankfurt: 'eu-central-1',
  stockholm: 'eu-north-1',
  'sao-paulo': 'sa-east-1',
  saopaulo: 'sa-east-1',
};

/** True when lower-case `text` has the shape of a region code (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`). */
export function isRegionCode(text: string): boolean {
  return looksLikeRegion(text);
}

/** Reads `in …` at `index` (the word in): the regions (or all) and the index after their words, or a failure. */
export function readRegions(
  tokens: readonly Token[],
  raws: readonly string[],
  index: number,
): { regions: string[] | 'all'; next: number } | Failure {
  const first = valueAfter(
    tokens,
    raws,
    index,
    'a region such as us-east-1, a list such as us-east-1,us-west-2, or all',
    'all',
  );
  if ('kind' in first) return first;
  const end = regionRunEnd(tokens, index + 1);
  const parts: { text: string; tokenIndex: number }[] = [];
  for (let i = index + 1; i < end; i += 1) {
    for (const part of (tokens[i]?.value ?? '').split(',')) {
      if (part.trim() !== '') parts.push({ text: part.trim(), tokenIndex: i });
    }
  }
  const replaceRun = (words: string[]): (() => string[][]) => replaceWords(raws, index + 1, end - index - 1, words);
  if (parts.length === 0) {
    return fail(
      first.raw,
      `in needs a region such as us-east-1, a list such as us-east-1,us-west-2, or all.`,
      replaceRun(['all']),
    );
  }
  const regions: string[] = [];
  for (const part of parts) {
    const lower = part.text.toLowerCase();
    if (lower === 'all' || lower === '*') {
      if (parts.length > 1) {
        return fail(
          part.text,
          `all already means every region; write ${quoteWord('in all')} alone.`,
          replaceRun(['all']),
        );
      }
      if (lower === '*') return fail(part.text, `Write ${quoteWord('in all')} for every region.`, replaceRun(['all']));
      return { regions: 'all', next: end };
    }
    if (isRegionCode(lower)) {
      if (!regions.includes(lower)) regions.push(lower);
      continue;
    }
    return unknownRegion(raws, part, lower);
  }
  return { regions, next: end };
}

/** The failure for a part of `in …` that is not a region code: suggests the code it most likely means. */
function unknownRegion(raws: readonly string[], part: { text: string; tokenIndex: number }, lower: string): Failure {
  const suggestion = lookup(REGION_BY_PLACE, lower) ?? closestWord(lower, SUGGESTED_REGIONS);
  const fixed = () => {
    const tokenRaw = raws[part.tokenIndex] ?? '';
    return [splice(raws, part.tokenIndex, 1, [tokenRaw.replace(part.text, suggestion ?? 'us-east-1')])];
  };
  const hint =
    lower === 'global'
      ? `events of global services (IAM, STS, CloudFront, sign-in) are recorded in us-east-1, so write ${quoteWord('in us-east-1')}.`
      : suggestion !== null
        ? `did you mean ${quoteWord(suggestion)}?`
        : 'write region codes such as us-east-1 or ap-northeast-1, separated by commas.';
  return fail(part.text, `${quoteWord(part.text)} is not a region code; ${hint}`, fixed);
}
