import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { logicalId } from './synth';

/** An IAM policy statement as it appears in the template. */
export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of every AWS::IAM::Policy attached to this role. */
export function statementsOfRole(template: Template, role: IConstruct): Statement[] {
  const roleRef = JSON.stringify({ Ref: logicalId(role) });
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => asArray(policy.Properties.Roles).some((r) => JSON.stringify(r) === roleRef))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** Every statement of every AWS::IAM::Policy in the template. */
export function allIdentityStatements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
  );
}

export const actionsOf = (statements: Statement[]): string[] =>
  [...new Set(statements.flatMap((s) => asArray(s.Action)))].sort();

export const resourcesOf = (statements: Statement[]): unknown[] =>
  statements.flatMap((s) => asArray(s.Resource));

/**
 * The statements flattened to sorted "action on resource" lines, so a test can compare a role's
 * whole permission set, whatever way CDK groups (or minimizes) the statements.
 */
export function grantsOf(statements: Statement[]): string[] {
  const lines = statements.flatMap((s) =>
    asArray(s.Action).flatMap((action) =>
      asArray(s.Resource).map((r) => `${action} on ${JSON.stringify(r)}`),
    ),
  );
  return [...new Set(lines)].sort();
}

/** Expected "action on resource" lines for actions that all apply to one resource. */
export function grantLines(resource: unknown, actions: readonly string[]): string[] {
  return actions.map((action) => `${action} on ${JSON.stringify(resource)}`);
}
