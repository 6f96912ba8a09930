// The official `openai` npm package, unchanged, against the mesh's OpenAI-compatible REST API
// (through Envoy): models, chat (unary, streamed, tools, JSON schema, multi-turn), completions,
// embeddings, moderations (a policy shield), and errors as the SDK's own exception classes.
//
//   LLS_OPENAI_BASE_URL=http://127.0.0.1:8321/v1 LLS_TEST_CHAT_MODEL=llama-cpp/SmolLM2-135M-Instruct \
//     LLS_TEST_EMBEDDING_MODEL=sentence-transformers/all-MiniLM-L6-v2 LLS_TEST_SHIELD=policy \
//     node --test openai.test.js
'use strict';

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { OpenAI } = require('openai');

const BASE_URL = process.env.LLS_OPENAI_BASE_URL || '';
const CHAT_MODEL = process.env.LLS_TEST_CHAT_MODEL || '';
const EMBEDDING_MODEL = process.env.LLS_TEST_EMBEDDING_MODEL || '';
const SHIELD = process.env.LLS_TEST_SHIELD || '';
const skip = !(BASE_URL && CHAT_MODEL && EMBEDDING_MODEL) && 'LLS_OPENAI_BASE_URL and models not set';
const skipModeration = (skip || !SHIELD) && 'LLS_OPENAI_BASE_URL and LLS_TEST_SHIELD not set';

const client = new OpenAI({ baseURL: BASE_URL || 'http://unused/v1', apiKey: 'unused', maxRetries: 0 });

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    },
  },
};

test('lists models in OpenAI shape', { skip }, async () => {
  const ids = [];
  for await (const model of client.models.list()) {
    ids.push(model.id);
    assert.equal(model.object, 'model');
    assert.equal(typeof model.created, 'number');
    assert.ok(model.owned_by);
  }
  assert.ok(ids.includes(CHAT_MODEL) && ids.includes(EMBEDDING_MODEL), ids.join(', '));
  const one = await client.models.retrieve(CHAT_MODEL);
  assert.equal(one.id, CHAT_MODEL);
});

test('chat completion', { skip }, async () => {
  const r = await client.chat.completions.create({
    model: CHAT_MODEL,
    messages: [{ role: 'user', content: 'Say hello.' }],
    max_tokens: 8,
    temperature: 0,
  });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.model, CHAT_MODEL);
  assert.ok(r.choices[0].message.content);
  assert.ok(['stop', 'length'].includes(r.choices[0].finish_reason));
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
});

test('streamed chat completion arrives in pieces and ends cleanly', { skip }, async () => {
  const stream = await client.chat.completions.create({
    model: CHAT_MODEL,
    messages: [{ role: 'user', content: 'Count from one to ten.' }],
    max_tokens: 16,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  const texts = [];
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      if (choice.delta.content) texts.push(choice.delta.content);
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  assert.ok(texts.length >= 3, `only ${texts.length} text chunks`);
  assert.ok(['stop', 'length'].includes(finish));
  assert.equal(usage.completion_tokens, texts.length);
});

test('tool_choice required gives arguments that parse as JSON', { skip }, async () => {
  const r = await client.chat.completions.create({
    model: CHAT_MODEL,
    messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    tools: [WEATHER],
    tool_choice: 'required',
    temperature: 0,
  });
  assert.equal(r.choices[0].finish_reason, 'tool_calls');
  const call = r.choices[0].message.tool_calls[0];
  assert.equal(call.function.name, 'get_weather');
  assert.equal(typeof JSON.parse(call.function.arguments).city, 'string');
});

test('json_schema output parses', { skip }, async () => {
  const schema = {
    type: 'object',
    properties: { city: { type: 'string' }, population: { type: 'integer' } },
    required: ['city', 'population'],
  };
  const r = await client.chat.completions.create({
    model: CHAT_MODEL,
    messages: [{ role: 'user', content: 'Invent a city.' }],
    response_format: { type: 'json_schema', json_schema: { name: 'city', schema } },
    max_tokens: 48,
    temperature: 0,
  });
  const data = JSON.parse(r.choices[0].message.content);
  assert.equal(typeof data.city, 'string');
  assert.ok(Number.isInteger(data.population));
});

test('multi-turn with a system message and content parts', { skip }, async () => {
  const r = await client.chat.completions.create({
    model: CHAT_MODEL,
    messages: [
      { role: 'system', content: 'You answer in one short sentence.' },
      { role: 'user', content: [{ type: 'text', text: 'My name is Ada.' }] },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: [{ type: 'text', text: 'What is my name?' }] },
    ],
    max_tokens: 12,
    temperature: 0,
  });
  assert.ok(r.choices[0].message.content);
});

test('completions', { skip }, async () => {
  const r = await client.completions.create({
    model: CHAT_MODEL,
    prompt: 'The capital of France is',
    max_tokens: 4,
    temperature: 0,
  });
  assert.equal(r.object, 'text_completion');
  assert.ok(r.choices[0].text);
});

test('embeddings: 384 dimensions, float and base64', { skip }, async () => {
  const r = await client.embeddings.create({ model: EMBEDDING_MODEL, input: ['hello', 'world'] });
  assert.equal(r.data.length, 2);
  assert.equal(r.data[0].embedding.length, 384);
  const floats = await client.embeddings.create({
    model: EMBEDDING_MODEL,
    input: 'hello',
    encoding_format: 'float',
  });
  assert.equal(floats.data[0].embedding.length, 384);
  const packed = await client.embeddings.create({
    model: EMBEDDING_MODEL,
    input: 'hello',
    encoding_format: 'base64',
  });
  const bytes = Buffer.from(packed.data[0].embedding, 'base64');
  assert.equal(bytes.length, 384 * 4);
  assert.ok(Math.abs(bytes.readFloatLE(0) - floats.data[0].embedding[0]) < 1e-6);
});

test('an unknown model raises NotFoundError', { skip }, async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
    (err) => {
      assert.ok(err instanceof OpenAI.NotFoundError, `${err.constructor.name}: ${err.message}`);
      assert.equal(err.status, 404);
      assert.equal(err.code, 'model_not_found');
      return true;
    },
  );
});

test('a bad request raises BadRequestError naming the field', { skip }, async () => {
  await assert.rejects(
    client.chat.completions.create({
      model: CHAT_MODEL,
      messages: [{ role: 'user', content: 'x' }],
      temperature: 5,
    }),
    (err) => {
      assert.ok(err instanceof OpenAI.BadRequestError, `${err.constructor.name}: ${err.message}`);
      assert.equal(err.param, 'temperature');
      return true;
    },
  );
});

const MODERATION = 'moderations: a shield flags payment data, one result per input';
test(MODERATION, { skip: skipModeration }, async () => {
  const r = await client.moderations.create({
    model: SHIELD,
    input: ['The weather is lovely today.', 'Charge it to 4111 1111 1111 1111.'],
  });
  assert.ok(r.id.startsWith('modr-'));
  assert.equal(r.model, SHIELD);
  assert.deepEqual(r.results.map((x) => x.flagged), [false, true]);
  assert.equal(r.results[1].categories.payment, true);
  assert.equal(r.results[1].categories['self-harm'], false);
  assert.equal(r.results[1].category_scores.payment, 1);
  await assert.rejects(
    client.moderations.create({ model: 'nope', input: 'x' }),
    OpenAI.NotFoundError,
  );
});
