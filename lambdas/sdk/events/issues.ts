import type * as z from 'zod';

/** One reason an event was refused. Never holds a field's value, which may be a VIN or a location. */
export interface EventIssue {
  /** The failing field, e.g. `data.signals[2].code`; `(root)` for the document itself. */
  path: string;
  /** What was expected there. */
  message: string;
}

/** Path of an issue about the document as a whole. */
export const ROOT_PATH = '(root)';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `['data', 'signals', 2, 'code']` → `data.signals[2].code`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text === '' ? ROOT_PATH : text;
}

/**
 * Zod issues as {@link EventIssue}s. A union that matched no option reports "Invalid input" on the
 * union itself, hiding the field that failed; when an option got into the value (its issues lie
 * deeper than the union), the best such option's issues are reported instead: the one with the
 * fewest issues, then the one that got deepest, then the first.
 */
export function toEventIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): EventIssue[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      const branch = bestBranch(issue.errors);
      if (branch !== undefined) return toEventIssues(branch, path);
    }
    return [{ path: formatPath(path), message: issue.message }];
  });
}

function bestBranch(
  branches: readonly (readonly z.core.$ZodIssue[])[],
): readonly z.core.$ZodIssue[] | undefined {
  const candidates = branches.filter((issues) => issues.length > 0 && issues.every((i) => i.path.length > 0));
  let best: readonly z.core.$ZodIssue[] | undefined;
  for (const issues of candidates) {
    if (best === undefined || issues.length < best.length) best = issues;
    else if (issues.length === best.length && maxDepth(issues) > maxDepth(best)) best = issues;
  }
  return best;
}

function maxDepth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(...issues.map((issue) => issue.path.length));
}
