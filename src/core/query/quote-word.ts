/** How a message quotes what the user typed. Pure. */

/** A word quoted for a message: backticks, and a word over 40 characters shortened to 37 and an ellipsis. */
export function quoteWord(word: string): string {
  const chars = Array.from(word);
  const short = chars.length > 40 ? `${chars.slice(0, 37).join('')}…` : word;
  return `\`${short}\``;
}
