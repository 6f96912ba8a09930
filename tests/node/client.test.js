// Calls the gateway from Node.js with stubs loaded at run time from proto/ (the same contracts
// the Python stubs come from): the stubs must work from another language.
//
//   LLS_GATEWAY_ADDR=127.0.0.1:50051 LLS_TEST_CHAT_MODEL=llama-cpp/SmolLM2-135M-Instruct \
//     node --test client.test.js
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test, before, after } = require('node:test');

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const REPO = path.resolve(__dirname, '..', '..');
const PROTO_DIR = path.join(REPO, 'proto');
const ADDRESS = process.env.LLS_GATEWAY_ADDR || '127.0.0.1:50051';
const CHAT_MODEL = process.env.LLS_TEST_CHAT_MODEL || '';
const DEADLINE_MS = Number(process.env.LLS_TEST_DEADLINE_MS || 120000);

// Every contract file, so a proto that protobufjs cannot load fails here.
function protoFiles() {
  return fs
    .readdirSync(PROTO_DIR, { recursive: true })
    .filter((f) => f.endsWith('.proto'))
    .sort();
}

const definition = protoLoader.loadSync(protoFiles(), {
  keepCase: true, // proto field names (model_id), as in the JSON over REST
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR, path.join(REPO, 'third_party')],
});
const api = grpc.loadPackageDefinition(definition).llamastack;

// google.rpc.Status / ErrorInfo, to read the rich error details (grpc-status-details-bin).
const rpcTypes = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: {
              fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } },
            },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            ErrorInfo: {
              fields: {
                reason: { type: 'string', id: 1 },
                domain: { type: 'string', id: 2 },
                metadata: { keyType: 'string', type: 'string', id: 3 },
              },
            },
          },
        },
      },
    },
  },
});
const Status = rpcTypes.lookupType('google.rpc.Status');
const ErrorInfo = rpcTypes.lookupType('google.rpc.ErrorInfo');

let models;
let inference;

function deadline() {
  return new Date(Date.now() + DEADLINE_MS);
}

function unary(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: deadline() }, (err, response) =>
      err ? reject(err) : resolve(response),
    );
  });
}

function errorInfo(err) {
  const raw = err.metadata && err.metadata.get('grpc-status-details-bin');
  if (!raw || raw.length === 0) return null;
  const status = Status.decode(raw[0]);
  const any = status.details.find((d) => d.type_url.endsWith('/google.rpc.ErrorInfo'));
  return any ? ErrorInfo.decode(any.value) : null;
}

function userMessage(text) {
  return { role: 'ROLE_USER', content: [{ text }] };
}

before(() => {
  const creds = grpc.credentials.createInsecure();
  models = new api.registry.v1.ModelService(ADDRESS, creds);
  inference = new api.inference.v1.InferenceService(ADDRESS, creds);
});

after(() => {
  models.close();
  inference.close();
});

test('lists the registered models', async () => {
  const response = await unary(models, 'ListModels', { page_size: 100 });
  assert.ok(Array.isArray(response.data));
  assert.ok(response.data.length > 0, 'no models registered');
  for (const model of response.data) {
    assert.ok(model.identifier, 'a model without identifier');
    assert.ok(model.provider_id, `model ${model.identifier} without provider_id`);
  }
  if (CHAT_MODEL) {
    const ids = response.data.map((m) => m.identifier);
    assert.ok(ids.includes(CHAT_MODEL), `${CHAT_MODEL} not in ${ids.join(', ')}`);
  }
});

test('gets a model whose id contains a slash', async () => {
  const { data } = await unary(models, 'ListModels', {});
  const id = CHAT_MODEL || data[0].identifier;
  const response = await unary(models, 'GetModel', { model_id: id });
  assert.equal(response.model.identifier, id);
  assert.equal(response.model.model_type, 'MODEL_TYPE_LLM');
});

test('an unknown model is NOT_FOUND with a message and ErrorInfo', async () => {
  const id = 'no-such-provider/no-such-model';
  await assert.rejects(unary(models, 'GetModel', { model_id: id }), (err) => {
    assert.equal(err.code, grpc.status.NOT_FOUND, `${err.code}: ${err.details}`);
    assert.match(err.details, /no-such-provider\/no-such-model/);
    const info = errorInfo(err);
    assert.ok(info, 'no google.rpc.ErrorInfo in grpc-status-details-bin');
    assert.equal(info.reason, 'ERROR_REASON_RESOURCE_NOT_FOUND');
    assert.equal(info.domain, 'llamastack.io');
    return true;
  });
});

test('a missing required field is INVALID_ARGUMENT naming it', async () => {
  await assert.rejects(unary(models, 'GetModel', {}), (err) => {
    assert.equal(err.code, grpc.status.INVALID_ARGUMENT, `${err.code}: ${err.details}`);
    assert.match(err.details, /model_id/);
    return true;
  });
});

test('chat completion', { skip: !CHAT_MODEL && 'LLS_TEST_CHAT_MODEL not set' }, async () => {
  const response = await unary(inference, 'ChatCompletion', {
    model_id: CHAT_MODEL,
    messages: [userMessage('Say hello in three words.')],
    sampling_params: { greedy: {}, max_tokens: 12 },
  });
  const message = response.completion_message;
  assert.equal(message.role, 'ROLE_ASSISTANT');
  const text = message.content.map((c) => c.text || '').join('');
  assert.ok(text.trim().length > 0, 'empty completion');
  assert.notEqual(message.stop_reason, 'STOP_REASON_UNSPECIFIED');
});

test('streamed chat completion', { skip: !CHAT_MODEL && 'LLS_TEST_CHAT_MODEL not set' }, async () => {
  const call = inference.StreamChatCompletion(
    {
      model_id: CHAT_MODEL,
      messages: [userMessage('Count from one to ten.')],
      sampling_params: { greedy: {}, max_tokens: 24 },
    },
    { deadline: deadline() },
  );
  const events = [];
  for await (const chunk of call) {
    events.push(chunk.event);
  }
  assert.ok(events.length >= 3, `only ${events.length} chunks`);
  const last = events[events.length - 1];
  assert.equal(last.event_type, 'CHAT_COMPLETION_EVENT_TYPE_COMPLETE');
  assert.notEqual(last.stop_reason, 'STOP_REASON_UNSPECIFIED');
  for (const event of events.slice(0, -1)) {
    assert.notEqual(event.event_type, 'CHAT_COMPLETION_EVENT_TYPE_COMPLETE');
  }
  const text = events.map((e) => (e.delta && e.delta.text) || '').join('');
  assert.ok(text.trim().length > 0, 'no text in the deltas');
});

test('a streamed call on an unknown model fails with NOT_FOUND', async () => {
  const call = inference.StreamChatCompletion(
    { model_id: 'no-such-model', messages: [userMessage('hi')] },
    { deadline: deadline() },
  );
  await assert.rejects(
    (async () => {
      for await (const _ of call) {
        // no chunk expected
      }
    })(),
    (err) => {
      assert.equal(err.code, grpc.status.NOT_FOUND, `${err.code}: ${err.details}`);
      assert.match(err.details, /no-such-model/);
      return true;
    },
  );
});
