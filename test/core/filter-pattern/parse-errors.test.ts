/**
 * Malformed patterns: each gives `{ ok: false }` with the offset of the fault (the text's length when something is
 * missing at the end) and a message that says what was expected, led by the 1-based column.
 */
import { describe, expect, test } from '@jest/globals';
import { MAX_PATTERN_LENGTH, parseFilterPattern } from '../../../src/core/filter-pattern/filter-pattern.js';

const END = -1;

describe('parse errors', () => {
  test.each<[string, number, string]>([
    // JSON: structure
    ['{ $.a = }', 8, 'expected a value after "=", found "}"'],
    ['{ $.eventName = ConsoleLogin', END, 'expected "}" to close the pattern opened at column 1'],
    ['  { $.a = 1 ', END, 'expected "}" to close the pattern opened at column 3'],
    ['{ ($.a = 1 }', 11, 'expected && or || or ")" to close the "(" at column 3, found "}"'],
    ['{ ($.a = 1', END, 'expected ")" to close the "(" at column 3, found the end of the pattern'],
    ['{ $.a = 1 ) }', 10, 'found ")" but no "(" is open'],
    ['{ $.a = 1 $.b = 2 }', 10, 'expected && or || or "}", found "$.b"'],
    ['{ $.a = 1 & $.b = 2 }', 10, 'expected && or || or "}", found "&"'],
    ['{ $.a = 1 } x', 12, 'unexpected "x" after the closing "}"'],
    ['{ }', 2, 'expected a selector such as $.eventName, found "}"'],
    ['{}', 1, 'expected a selector such as $.eventName'],
    ['{ ($.a = 1) && }', 15, 'expected a selector such as $.eventName, found "}"'],
    ['{ || $.a = 1 }', 2, 'expected a selector such as $.eventName, found "||"'],
    ['{ eventName = x }', 2, 'expected a selector such as $.eventName, found "eventName"'],
    ['{ { $.a = 1 } }', 2, 'expected a selector such as $.eventName, found "{"'],
    // JSON: selectors
    ['{ $ = 1 }', 3, 'expected a property after "$", such as $.eventName, found a space'],
    ['{ $. = 1 }', 4, 'expected a property name after "."'],
    ['{ $[0] = 1 }', 3, 'an array index must follow a property'],
    ['{ $.a[x] = 1 }', 6, 'expected an array index or a quoted key after "["'],
    ['{ $.a[0 = 1 }', 7, 'expected "]" to close the "[" at column 6'],
    ['{ $.["a.b" = 1 }', 10, 'expected "]" to close the "[" at column 5'],
    ['{ $.[0] = 1 }', 5, 'expected a quoted key after "["'],
    ['{ $["a] = 1 }', END, 'expected a closing " for the string opened at column 5'],
    // JSON: operators and values
    ['{ $.a == 1 }', 6, 'unknown operator "=="'],
    ['{ $.a => 1 }', 6, 'unknown operator "=>"'],
    ['{ $.a ! 1 }', 6, 'unknown operator "!"'],
    ['{ $.a 1 }', 6, 'expected an operator (=, !=, <, >, <=, >=, IS NULL'],
    ['{ $.a is null }', 6, 'expected an operator'],
    ['{ $.a IS NOTNULL }', 9, 'expected NULL, TRUE or FALSE after IS'],
    ['{ $.a NOT EXIST }', 10, 'expected EXISTS after NOT'],
    ['{ $.a < x }', 8, 'expected a number after "<", found "x"'],
    ['{ $.a >= "5" }', 9, 'expected a number after ">="'],
    ['{ $.a > %5% }', 8, 'expected a number after ">"'],
    ['{ $.a = "abc }', END, 'expected a closing " for the string opened at column 9'],
    ['{ $.a = && $.b = 1 }', 8, 'expected a value after "=", found "&&"'],
    // Regexes
    ['{ $.a = %ab(c)% }', 11, 'a regex may not contain "(": grouping with parentheses is not supported'],
    ['{ $.a = %é% }', 9, 'a regex may not contain "é": multibyte characters are not supported'],
    ['{ $.a = %a!% }', 10, 'a regex may not contain "!"'],
    ['{ $.a = %abc }', END, 'expected "%" to close the regex opened at column 9'],
    ['{ $.a = %% }', 8, 'a regex between "%" and "%" may not be empty'],
    ['{ $.a = %[a% }', 8, 'does not compile'],
    ['{ $.a = %a% || $.b = %b% || $.c = %c% }', 34, 'at most 2 regexes'],
    // Space-delimited
    ['[a, b', END, 'expected "]" to close the pattern opened at column 1'],
    ['[a = ]', 5, 'expected a value after "=", found "]"'],
    ['[a, a]', 4, 'the field name a is used twice'],
    ['[..., x, ...x]', 12, 'expected "," or "]" after "...", found "x"'],
    ['[... = 1]', 5, 'an ellipsis takes no condition'],
    ['[a > x]', 5, 'expected a number after ">", found "x"'],
    ['[a b]', 3, 'expected an operator (=, !=, <, >, <=, >=) after a, or "," or "]", found "b"'],
    ['[a == 1]', 3, 'unknown operator "=="'],
    ['[1, a]', 1, 'a field name may not be a number'],
    ['[a] x', 4, 'unexpected "x" after the closing "]"'],
    ['[%x, a]', 1, 'expected a field name, "..." or ",", found "%x"'],
    ['[a = 1 && , b]', 10, 'expected a field name'],
    ['[a = "x"y]', 8, 'expected "," or "]" after a field, found "y"'],
    // Terms
    ['ERROR "unclosed', END, 'expected a closing " for the string opened at column 7'],
    ['"ERROR"x', 7, 'expected a space after the phrase opened at column 1, found "x"'],
    ['ERROR -', END, 'expected a term after "-" at column 7'],
    ['ERROR ?  ', END, 'expected a term after "?" at column 7'],
    ['%a(b)%', 2, 'a regex may not contain "("'],
    ['%abc', END, 'expected "%" to close the regex opened at column 1'],
    ['%a%b', 3, 'expected a space after the regex at column 1'],
    ['%a% %b% %c%', 8, 'at most 2 regexes'],
  ])('%j → offset %d, %s', (text, offset, fragment) => {
    const parsed = parseFilterPattern(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const expectedOffset = offset === END ? text.length : offset;
    expect(parsed.error.offset).toBe(expectedOffset);
    expect(parsed.error.message).toContain(fragment);
    expect(parsed.error.message.startsWith(`at column ${expectedOffset + 1}: `)).toBe(true);
    expect(parsed.error.message).not.toContain('\n');
  });

  test('the brief example message, exactly', () => {
    const parsed = parseFilterPattern('{ $.a.b.c.d = }');
    expect(parsed).toEqual({
      ok: false,
      error: { offset: 14, message: 'at column 15: expected a value after "=", found "}"' },
    });
  });

  test(`text longer than ${MAX_PATTERN_LENGTH} characters is a fault at offset ${MAX_PATTERN_LENGTH}`, () => {
    expect(MAX_PATTERN_LENGTH).toBe(1024);
    const longest = `{ $.a = "${'x'.repeat(MAX_PATTERN_LENGTH - 12)}" }`;
    expect(longest).toHaveLength(MAX_PATTERN_LENGTH);
    expect(parseFilterPattern(longest).ok).toBe(true);
    const parsed = parseFilterPattern(`${longest} `);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.offset).toBe(MAX_PATTERN_LENGTH);
      expect(parsed.error.message).toContain('at most 1024');
    }
  });

  test('long words are cut short in messages', () => {
    const parsed = parseFilterPattern(`{ $.a = 1 ${'b'.repeat(200)} }`);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message.length).toBeLessThan(100);
  });
});
