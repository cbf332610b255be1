import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { LOCAL_AWS } from '../local-aws';

/** The plain fields of a Lambda context: what survives a trip to another thread. */
export interface ContextFields {
  functionName: string;
  awsRequestId: string;
  /** Epoch milliseconds at which the invocation times out. */
  deadline: number;
  /** @default '512' */
  memoryLimitInMB?: string;
}

/** A Lambda context whose remaining time runs out at `fields.deadline`. */
export function contextFrom(fields: ContextFields): Context {
  const { functionName, awsRequestId, deadline } = fields;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_AWS.region}:${LOCAL_AWS.accountId}:function:${functionName}`,
    memoryLimitInMB: fields.memoryLimitInMB ?? '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The context of a fresh invocation with `remainingMs` (the function's timeout) left. */
export function lambdaContext(remainingMs = 30_000, functionName = 'smartcar-webhook-test'): Context {
  return contextFrom({ functionName, awsRequestId: randomUUID(), deadline: Date.now() + remainingMs });
}

/** The fields of `context` to rebuild it elsewhere with {@link contextFrom}. */
export function contextFields(context: Context): ContextFields {
  return {
    functionName: context.functionName,
    awsRequestId: context.awsRequestId,
    deadline: Date.now() + context.getRemainingTimeInMillis(),
    memoryLimitInMB: context.memoryLimitInMB,
  };
}
