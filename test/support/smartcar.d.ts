/** The official SDK ships no types; only its webhook helper is used, as a test oracle. */
declare module 'smartcar' {
  export function hashChallenge(amt: string, challenge: string): string;
}
