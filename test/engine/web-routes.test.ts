/**
 * The shared facts about web apps that serve models (python/web-routes.ts), on strings: apps and
 * their settings, handlers of each framework, what they accept and send back, auth and limits.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { PythonFacts } from '../../server/src/engine/python/facts';
import { createPythonParser } from '../../server/src/engine/python/parser';
import { webRouteFacts } from '../../server/src/engine/python/web-routes';

let parser: Parser;
before(async () => {
  parser = await createPythonParser();
});

function routesOf(source: string) {
  const facts = new PythonFacts(parser.parse(source)!);
  const first = webRouteFacts(facts);
  assert.equal(webRouteFacts(facts), first, 'computed once per file');
  return first;
}

test('FastAPI app settings: docs off, docs default, debug, from a variable', () => {
  const { apps } = routesOf(
    ['import os', 'from fastapi import FastAPI, APIRouter', 'a = FastAPI(docs_url=None, openapi_url=None)', 'b = FastAPI(debug=True)', 'c = FastAPI(openapi_url=os.environ.get("OPENAPI"))', 'r = APIRouter()'].join('\n'),
  );
  assert.deepEqual(
    apps.map((app) => [app.framework, app.router, app.docsUrl.state, app.openapiUrl.state, app.debug.state]),
    [
      ['fastapi', false, 'off', 'off', 'default'],
      ['fastapi', false, 'default', 'default', 'on'],
      ['fastapi', false, 'default', 'unknown', 'default'],
      ['fastapi', true, 'default', 'default', 'default'],
    ],
  );
});

test('route inputs: bounded pydantic model, dict, Any, upload, raw body, scalar', () => {
  const { routes } = routesOf(
    [
      'from typing import Any',
      'from fastapi import FastAPI, File, Request, UploadFile',
      'from pydantic import BaseModel, Field, conint',
      'app = FastAPI()',
      'class Bounded(BaseModel):',
      '    age: conint(ge=0, le=10)',
      'class Loose(BaseModel):',
      '    text: str',
      '@app.post("/a")',
      'async def a(x: Bounded, y: Loose, d: dict, z: Any, f: UploadFile = File(...), n: int = 3, request: Request = None):',
      '    body = await request.json()',
      '    return model.predict([body])',
    ].join('\n'),
  );
  const route = routes[0]!;
  assert.deepEqual(
    route.inputs.map((input) => [input.name, input.kind, input.bounded]),
    [
      ['x', 'model', true],
      ['y', 'model', false],
      ['d', 'dict', false],
      ['z', 'any', false],
      ['f', 'upload', false],
      ['n', 'scalar', false],
      ['body', 'raw-body', false],
    ],
  );
  assert.equal(route.modelCalls.length, 1);
  assert.equal(route.app?.framework, 'fastapi');
});

test('limits: slowapi decorator, fastapi-limiter dependency, flask-limiter default limits', () => {
  const fastapi = routesOf(
    [
      'from fastapi import Depends, FastAPI',
      'from fastapi_limiter.depends import RateLimiter',
      'app = FastAPI()',
      '@app.post("/a")',
      '@limiter.limit("5/minute")',
      'def a(x: int):',
      '    return model.predict([x])',
      '@app.post("/b", dependencies=[Depends(RateLimiter(times=2, seconds=5))])',
      'def b(x: int):',
      '    return model.predict([x])',
      '@app.post("/c")',
      'def c(x: int):',
      '    return model.predict([x])',
    ].join('\n'),
  );
  assert.deepEqual(
    fastapi.routes.map((route) => [route.name.text, route.rateLimited, route.hasAuth]),
    [
      ['a', true, false],
      ['b', true, false],
      ['c', false, false],
    ],
  );
  assert.equal(fastapi.appWideRateLimit, false);
  const flask = routesOf(['from flask import Flask', 'from flask_limiter import Limiter', 'app = Flask(__name__)', 'limiter = Limiter(app=app, default_limits=["100/hour"])'].join('\n'));
  assert.equal(flask.appWideRateLimit, true);
});

test('Gradio functions and a Streamlit script are handlers with their outputs', () => {
  const gradio = routesOf(['import gradio as gr', 'def classify(text):', '    return clf.predict([text])[0]', 'demo = gr.Interface(fn=classify, inputs="text", outputs="label")'].join('\n'));
  assert.deepEqual(
    gradio.routes.map((route) => [route.kind, route.name.text, route.modelCalls.length, route.outputs.length]),
    [['gradio', 'classify', 1, 1]],
  );
  const streamlit = routesOf(['import streamlit as st', 'text = st.text_input("Text")', 'st.write(clf.predict([text]))'].join('\n'));
  assert.deepEqual(
    streamlit.routes.map((route) => [route.kind, route.inputs.map((input) => input.name), route.outputs.map((output) => output.text)]),
    [['streamlit', ['text'], ['clf.predict([text])']]],
  );
});
