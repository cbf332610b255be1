import { QUARANTINED_REASONS } from '../../lambdas/contract';
import { TARGETS } from './archive-help';
import { QUARANTINE_DEFAULT_SINCE } from './quarantine-args';

/** The help texts of the quarantine's commands, `quarantine` and `doctor`; help.ts lists them. */

const SELECTORS = `Selecting (default: everything still kept, the last ${QUARANTINE_DEFAULT_SINCE}):
  --since <time>        ISO time or a duration back from now (10m, 2h, 7d)
  --until <time>        the same (default: now)
  --id <id>             one delivery: the id quarantine ls prints, its eventId or its deliveryId
  --reason <code>       ${QUARANTINED_REASONS.join(', ')}`;

const PERMISSIONS = `On AWS your credentials need s3:ListBucket, s3:GetObject (and for release s3:PutObject and
s3:DeleteObject) on the archive bucket, secretsmanager:GetSecretValue on the token secret,
cloudformation:DescribeStacks, for release sqs:GetQueueUrl and sqs:SendMessage, and kms:Decrypt
and kms:GenerateDataKey on the stack's encryptionKey if it has one.`;

/** `quarantine --help`. */
export function quarantineHelp(program: string, localStatusUrl: string): string {
  return `Usage: ${program} quarantine ls [selectors] [--json]
       ${program} quarantine show --id <id> [--unmask] [--json]
       ${program} quarantine release [selectors] [--dry-run] [--accept-unverified --note "<why>" [--yes]] [--json]

The quarantine holds deliveries the receiver refused although they look like Smartcar's (a
Smartcar/ User-Agent and a Smartcar event body): a wrong or rotated token, a body some proxy
changed, a delivery outside the replay window or too large. Smartcar never sends them again; the
quarantine keeps them for the quarantine retention (14 days by default).

  ls        the kept deliveries, with counts by reason, first and last seen and user agents
  show      one of them: its refusal, the headers kept and the body (VIN and locations masked)
  release   re-verify each with the stored token (current and previous) and put those that verify
            on the main queue, marked with a release id: the processor archives and processes each
            once (idempotency by eventId). What does not verify stays; doctor says why.

${SELECTORS}

Options:
  --dry-run             release: say which would be released and which kept; send nothing
  --accept-unverified   release: enqueue what does not verify too, marked verifiedWith=unverified;
                        only with --note, and after a confirmation (or --yes)
  --note "<why>"        release --accept-unverified: why these are genuine; logged with your user name
  --yes                 confirm --accept-unverified without a prompt (for scripts)
  --unmask              show: print VIN and locations as they arrived
  --json                one document on stdout
  -h, --help            this help

${TARGETS(localStatusUrl)}

${PERMISSIONS} Exits 1 when show finds nothing, or release kept or failed items.

Examples:
  npm run cli -- quarantine ls
  npm run cli -- quarantine show --id <id>
  npm run cli -- quarantine release --dry-run
  npm run cli -- quarantine release --stack SmartcarWebhooks
  npm run cli -- quarantine release --id <id> --accept-unverified --note "sent by our staging app, checked with Smartcar support"
`;
}

/** `doctor --help`. */
export function doctorHelp(program: string, localStatusUrl: string): string {
  return `Usage: ${program} doctor [selectors] [--token <token> ...] [--json]

Explains why quarantined deliveries were refused. For each one it tries the stored token (the
secret's current and previous versions) and every --token on the body as it arrived and on the
forms that break signatures (re-serialized or pretty-printed JSON, trimmed whitespace, a byte-order
mark, re-encoded text, line endings, an undecoded base64 body), and says which matches and what
that means: signed with the previous token, something rewrites the JSON, or this token is not the
Application Management Token of the app that sends these. Without --id it groups the deliveries
by cause and prints the counts at a glance (reasons, first and last seen, user agents).

${SELECTORS}

Options:
  --token <token>       a token to try as well (e.g. the one the Dashboard shows now); repeatable
  --json                one document on stdout (summary, groups; with --id the diagnosis)
  -h, --help            this help

${TARGETS(localStatusUrl)}

${PERMISSIONS.replace(' (and for release s3:PutObject and\ns3:DeleteObject)', '').replace(', for release sqs:GetQueueUrl and sqs:SendMessage', '')} Exits 0 when every delivery would verify now (release them), 1 otherwise.

Examples:
  npm run cli -- doctor
  npm run cli -- doctor --id <id>
  npm run cli -- doctor --token "$TOKEN_FROM_THE_DASHBOARD"
  npm run cli -- doctor --stack SmartcarWebhooks --since 2d
`;
}
