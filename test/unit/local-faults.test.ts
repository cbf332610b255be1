import { type LocalApi, startLocalApi } from '../../local/api-gateway';
import { acceptedFaults, FaultRequestError, parseFaultRequest } from '../../local/faults';
import { lambdaContext } from '../../local/kit';

const ACCEPTED = 'Accepted: sqs|dynamodb|archive: up|down; processor: crash.';

function parse(text: string) {
  return parseFaultRequest(Buffer.from(text, 'utf8'));
}

describe('fault requests', () => {
  it('lists what is accepted', () => {
    expect(acceptedFaults()).toBe('sqs|dynamodb|archive: up|down; processor: crash');
  });

  it('accepts every switch with each of its values', () => {
    expect(parse('{"sqs":"down","dynamodb":"up","archive":"down","processor":"crash"}')).toEqual({
      sqs: 'down',
      dynamodb: 'up',
      archive: 'down',
      processor: 'crash',
    });
  });

  it('reads an empty body or {} as no change', () => {
    expect(parse('')).toEqual({});
    expect(parse('{}')).toEqual({});
  });

  it('refuses an unknown value and lists what is accepted', () => {
    expect(() => parse('{"dynamodb":"off"}')).toThrow(
      new FaultRequestError(`Fault not changed: "dynamodb" takes "up" or "down", not "off". ${ACCEPTED}`),
    );
  });

  it('refuses an unknown name and lists what is accepted', () => {
    expect(() => parse('{"database":"down"}')).toThrow(
      new FaultRequestError(`Fault not changed: unknown fault "database". ${ACCEPTED}`),
    );
  });

  it('refuses a value that is not a string', () => {
    expect(() => parse('{"sqs":false}')).toThrow(/"sqs" takes "up" or "down", not false/);
  });

  it('refuses processor values other than crash', () => {
    expect(() => parse('{"processor":"down"}')).toThrow(/"processor" takes "crash", not "down"/);
  });

  it('refuses a body that is not JSON', () => {
    expect(() => parse('sqs=down')).toThrow(/the body is not JSON: sqs=down/);
  });

  it('refuses JSON that is not an object', () => {
    expect(() => parse('["sqs","down"]')).toThrow(/must be a JSON object such as \{"sqs":"down"\}/);
  });

  it('refuses a name inherited from Object.prototype', () => {
    expect(() => parse('{"toString":"down"}')).toThrow(/unknown fault "toString"/);
  });
});

describe('local API fault switches', () => {
  let api: LocalApi | undefined;
  const faults = jest.fn((request: object): unknown => ({ sqs: 'up', applied: request }));

  beforeEach(async () => {
    faults.mockClear();
    api = await startLocalApi({
      port: 0,
      receiver: async () => ({ statusCode: 200, body: '{}' }),
      context: () => lambdaContext(),
      status: async () => ({}),
      faults,
      onDelivery: () => undefined,
    });
  });

  afterEach(async () => {
    await api?.close();
  });

  it('answers GET /_local/faults with the state, changing nothing', async () => {
    const response = await fetch(`${api?.url}/_local/faults`);

    expect(response.status).toBe(200);
    expect(faults).toHaveBeenCalledWith({});
    await expect(response.json()).resolves.toEqual({ sqs: 'up', applied: {} });
  });

  it('answers 400 with what is accepted to an unknown value, without calling faults()', async () => {
    const response = await fetch(`${api?.url}/_local/faults`, {
      method: 'POST',
      body: '{"dynamodb":"off"}',
    });

    expect(response.status).toBe(400);
    await expect(response.json()).resolves.toEqual({
      error: 'INVALID_FAULT',
      message: `Fault not changed: "dynamodb" takes "up" or "down", not "off". ${ACCEPTED}`,
    });
    expect(faults).not.toHaveBeenCalled();
  });

  it('changes nothing when one of several switches is refused', async () => {
    const response = await fetch(`${api?.url}/_local/faults`, {
      method: 'POST',
      body: '{"sqs":"down","dynamodb":"off"}',
    });

    expect(response.status).toBe(400);
    expect(faults).not.toHaveBeenCalled();
  });
});
