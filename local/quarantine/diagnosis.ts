import type { QuarantineRecord } from '../../lambdas/contract/quarantine';
import { parseSignatureHeader, signatureMatches } from '../../lambdas/receiver/verify-signature';
import { BODY_FORMS, type BodyFormName } from './body-forms';

/**
 * Why a quarantined delivery was refused, worked out from its stored bytes and headers: which
 * token signed it, and which bytes (the raw body, or one of the forms a sender or a proxy turns it
 * into). Pure: the caller reads the records and the tokens, `doctor` prints the result. No output
 * string ever contains a token, a whole signature or body content.
 */

/** Where a candidate token comes from: the stored secret (AWSCURRENT, AWSPREVIOUS) or `--token`. */
export type TokenLabel = 'current' | 'previous' | 'given';

/** A token to try on a record. */
export interface CandidateToken {
  label: TokenLabel;
  token: string;
  /** The secret version's CreatedDate, when known: says when the stored token changed. */
  createdAt?: Date;
}

/** What a record's refusal comes down to. */
export type Verdict =
  | 'verifies'
  | 'genuine-refused'
  | 'previous-token'
  | 'given-token'
  | 'altered-body'
  | 'no-signature'
  | 'malformed-signature'
  | 'no-match';

/** The diagnosis of one quarantined delivery. */
export interface Diagnosis {
  verdict: Verdict;
  /** The token that signed it, when one did. */
  token?: TokenLabel;
  /** The form of the body it signed, when a token did. */
  form?: BodyFormName;
  /** One line, reads on after "37 of 40: ". */
  summary: string;
  explanation: string;
  /** What to do. */
  remedy: string;
  /** True when it verifies now on its raw bytes with the current or previous token. */
  releasable: boolean;
}

/** Settings of {@link diagnoseRecord}. */
export interface DiagnosisOptions {
  /**
   * How to store a token, for the advice when the token given with `--token` signed the deliveries.
   * @default a sentence naming the stack output TokenSecretName
   */
  storeTokenHint?: string;
}

const RELEASE = 'npm run cli -- quarantine release';
const DEFAULT_STORE_HINT =
  'put it in the secret named by the stack output TokenSecretName ' +
  "(aws secretsmanager put-secret-value --secret-id <TokenSecretName> --secret-string '<token>')";
const TOKEN_ORDER: readonly TokenLabel[] = ['current', 'previous', 'given'];
const TOKEN_NAMES: Record<TokenLabel, string> = {
  current: 'current token',
  previous: 'previous token (AWSPREVIOUS)',
  given: 'token you gave (--token)',
};
const V3_FIELD_REPORT =
  'Its envelope is version "4.0": after a migration to Smartcar\'s v3 API some apps\' "4.0" payloads ' +
  'stopped verifying while VERIFY still worked; regenerating the token did not help, recreating the ' +
  'Smartcar application did.';

/**
 * Tries every token on the raw body and on each of {@link BODY_FORMS}, and says which pair signed
 * the delivery, what that means and what to do. Tokens are tried current, previous, given.
 */
export function diagnoseRecord(
  record: QuarantineRecord,
  tokens: readonly CandidateToken[],
  options: DiagnosisOptions = {},
): Diagnosis {
  const header = record.headers['sc-signature'];
  const problem = headerProblem(header);
  if (problem !== undefined) return problem;
  const signature = parseSignatureHeader(header);
  const raw = Buffer.from(record.body_base64, 'base64');
  const ordered = [...tokens].sort((a, b) => TOKEN_ORDER.indexOf(a.label) - TOKEN_ORDER.indexOf(b.label));
  const note = /[A-F]/.test(header ?? '')
    ? 'upper-case hex: the receiver accepts it, but Smartcar sends lower-case, so something rewrote the header or another sender signed this. '
    : '';
  for (const form of BODY_FORMS) {
    const bytes = form.make(raw);
    // A form equal to the raw bytes proves nothing the raw form did not.
    if (bytes === undefined || (form.name !== 'raw' && bytes.equals(raw))) continue;
    const match = ordered.find((candidate) => signatureMatches(candidate.token, bytes, signature));
    if (match === undefined) continue;
    const found = explainMatch(record, match.label, form, tokens, options);
    return { ...found, explanation: note + found.explanation };
  }
  const unmatched = explainNoMatch(record, tokens.length);
  return { ...unmatched, explanation: note + unmatched.explanation };
}

/** A missing or malformed header; undefined for one that can be a digest (upper-case included). */
function headerProblem(header: string | undefined): Diagnosis | undefined {
  const value = header?.trim() ?? '';
  if (value === '') {
    return {
      verdict: 'no-signature',
      summary: 'no SC-Signature header',
      explanation:
        'no SC-Signature header: whatever sent this is not signing; a proxy that strips headers, or not Smartcar.',
      remedy:
        'If a proxy or CDN sits in front of the receiver, make it forward SC-Signature; otherwise this is not from ' +
        'Smartcar and can stay in the quarantine until it expires.',
      releasable: false,
    };
  }
  if (/^[0-9a-fA-F]{64}$/.test(value)) return undefined;
  const faults: string[] = [];
  if (value.length !== 64) faults.push(`${value.length} characters long, not 64`);
  const nonHex = [...new Set(value.replace(/[0-9a-fA-F]/g, ''))];
  if (nonHex.length > 0) {
    faults.push(
      `has characters that are not hex digits (${nonHex
        .slice(0, 5)
        .map((c) => JSON.stringify(c))
        .join(', ')})`,
    );
  }
  const what = faults.join(' and ');
  return {
    verdict: 'malformed-signature',
    summary: `malformed SC-Signature header: ${what}`,
    explanation:
      `the SC-Signature header is ${what}; it starts with ${JSON.stringify(value.slice(0, 8))}. Smartcar sends 64 ` +
      'lower-case hex characters (an HMAC-SHA256 digest).',
    remedy:
      'Check what sits in front of the receiver: something rewrites the header (a prefix such as "sha256=", ' +
      'repeated headers joined with a comma), or the sender is not Smartcar.',
    releasable: false,
  };
}

function explainMatch(
  record: QuarantineRecord,
  token: TokenLabel,
  form: (typeof BODY_FORMS)[number],
  tokens: readonly CandidateToken[],
  options: DiagnosisOptions,
): Diagnosis {
  const signer = TOKEN_NAMES[token];
  const store = `Store it as the Application Management Token: ${options.storeTokenHint ?? DEFAULT_STORE_HINT}.`;
  const matched = { token, form: form.name };
  if (form.name !== 'raw') {
    const also = {
      current: '',
      previous:
        " It was signed with the previous token: put that value back, or regenerate the Dashboard's token and store it.",
      given: ` ${store}`,
    };
    return {
      verdict: 'altered-body',
      ...matched,
      summary: `matches the ${form.label} (signed with the ${signer}), not the bytes that arrived`,
      explanation: `matches the ${form.label}, signed with the ${signer}: something between Smartcar and the receiver ${form.cause}.`,
      remedy:
        'Deliver the raw bytes: make whatever sits in front of the receiver pass the body through unchanged. The ' +
        `stored bytes do not verify, so release these only with --accept-unverified.${also[token]}`,
      releasable: false,
    };
  }
  const releasable = token !== 'given';
  const releaseLine = ` Then release it (\`${RELEASE}\`).`;
  if (record.reason === 'OUTSIDE_REPLAY_WINDOW' || record.reason === 'PAYLOAD_TOO_LARGE') {
    const age = record.reason === 'OUTSIDE_REPLAY_WINDOW';
    const given = token === 'given' ? ` ${store}` : '';
    return {
      verdict: 'genuine-refused',
      ...matched,
      summary: `genuine (signed with the ${signer}), refused for its ${age ? 'age' : 'size'}`,
      explanation: age
        ? `genuine (signed with the ${signer}), refused for its age: its meta.deliveredAt was outside the ` +
          `receiver's replay window when it arrived (${record.quarantined_at}).`
        : `genuine (signed with the ${signer}), refused for its size: ${record.body_bytes} bytes is larger than ` +
          "the receiver's limit.",
      remedy:
        (age
          ? "Check the receiver's clock against meta.deliveredAt (a clock that is off refuses every delivery) and " +
            'the replayTolerance prop; if both are right this is a captured delivery sent again, and can stay.'
          : 'If payloads this large are expected, raise the maxBodyBytes prop and redeploy.') +
        given +
        ` Release it (\`${RELEASE}\`) once that is settled.`,
      releasable,
    };
  }
  if (token === 'current') {
    return {
      verdict: 'verifies',
      ...matched,
      summary: 'verifies now with the current token',
      explanation:
        record.reason === 'SIGNATURE_MISMATCH'
          ? 'verifies now with the current token: the token was fixed after this arrived.'
          : `verifies now with the current token (it was refused as ${record.reason}).`,
      remedy: `Release it (\`${RELEASE}\`).`,
      releasable,
    };
  }
  if (token === 'previous') {
    const createdAt = tokens.find((candidate) => candidate.label === 'current')?.createdAt;
    const when = createdAt === undefined ? '' : ` on ${createdAt.toISOString().slice(0, 10)}`;
    return {
      verdict: 'previous-token',
      ...matched,
      summary: 'signed with the previous token (AWSPREVIOUS)',
      explanation:
        `signed with the previous token (AWSPREVIOUS): the stored token changed${when} but Smartcar still signs ` +
        "with the old one: either the new value is not this app's Application Management Token, or the " +
        "Dashboard's token was never regenerated.",
      remedy: `Put the previous value back, or regenerate it in the Dashboard and store that.${releaseLine}`,
      releasable,
    };
  }
  return {
    verdict: 'given-token',
    ...matched,
    summary: 'signed with the token you gave (--token)',
    explanation: 'signed with the token you gave (--token), not with the stored one.',
    remedy: `${store}${releaseLine}`,
    releasable,
  };
}

function explainNoMatch(record: QuarantineRecord, tried: number): Diagnosis {
  if (tried === 0) {
    return {
      verdict: 'no-match',
      summary: 'no token to try',
      explanation: 'no token to try: none is stored and none was given.',
      remedy: "Pass the Application Management Token from the Dashboard's Configuration page with --token.",
      releasable: false,
    };
  }
  const who = tried === 1 ? 'this token is not' : `none of the ${tried} tokens tried is`;
  const wasSigned = record.signed
    ? ` It verified when it arrived (refused as ${record.reason}), so the token that signed it is no longer stored.`
    : '';
  const v3 = record.envelope_version === '4.0' ? ` ${V3_FIELD_REPORT}` : '';
  return {
    verdict: 'no-match',
    summary: 'matches nothing: no token tried signed any form of this body',
    explanation:
      `matches nothing: ${who} the Application Management Token of the app that sends these (raw body and ` +
      `${BODY_FORMS.length - 1} altered forms tried).${wasSigned}${v3}`,
    remedy:
      "Check the Dashboard's Configuration page (the Application Management Token, not the client id/secret or " +
      'the webhook id) and diagnose again with --token.',
    releasable: false,
  };
}

/** Records that share a verdict, token and form. */
export interface DiagnosisGroup {
  verdict: Verdict;
  token?: TokenLabel;
  form?: BodyFormName;
  count: number;
  /** The key of the first record in the group, to look at with `doctor --id`. */
  example: string;
  /** The diagnosis of that record; its summary stands for the group. */
  diagnosis: Diagnosis;
}

/** Settings of {@link diagnoseAll}. */
export interface DiagnoseAllOptions extends DiagnosisOptions {
  /**
   * Names a record in {@link DiagnosisGroup.example}.
   * @default its delivery id, event id or request id, else its position (`#1`)
   */
  keyOf?: (record: QuarantineRecord, index: number) => string;
}

/** Every record's diagnosis, grouped: `${count} of ${total}: ${diagnosis.summary}` per group. */
export interface DiagnosisReport {
  total: number;
  /** Most records first. */
  groups: DiagnosisGroup[];
  /** How many verify now on their raw bytes with the current or previous token. */
  releasable: number;
}

/** {@link diagnoseRecord} for each record, grouped by verdict, token and form. */
export function diagnoseAll(
  records: readonly QuarantineRecord[],
  tokens: readonly CandidateToken[],
  options: DiagnoseAllOptions = {},
): DiagnosisReport {
  const keyOf =
    options.keyOf ??
    ((record: QuarantineRecord, index: number) =>
      record.delivery_id ?? record.event_id ?? record.request_id ?? `#${index + 1}`);
  const groups = new Map<string, DiagnosisGroup>();
  let releasable = 0;
  records.forEach((record, index) => {
    const diagnosis = diagnoseRecord(record, tokens, options);
    if (diagnosis.releasable) releasable += 1;
    const id = [diagnosis.verdict, diagnosis.token ?? '', diagnosis.form ?? ''].join('|');
    const group = groups.get(id);
    if (group !== undefined) group.count += 1;
    else {
      const { verdict, token, form } = diagnosis;
      groups.set(id, { verdict, token, form, count: 1, example: keyOf(record, index), diagnosis });
    }
  });
  return {
    total: records.length,
    groups: [...groups.values()].sort((a, b) => b.count - a.count),
    releasable,
  };
}
