'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { Router, registerConverter } = require('../src');

test('typed params are converted', () => {
  const router = new Router().get('/users/:id(int)', () => 'user');
  assert.deepEqual(router.match('GET', '/users/42').params, { id: 42 });
  assert.equal(router.match('GET', '/users/abc'), null);
});

test('literal routes win over params', () => {
  const router = new Router()
    .get('/users/:name', () => 'by name')
    .get('/users/me', () => 'me');
  assert.equal(router.match('GET', '/users/me').handler(), 'me');
});

test('wildcards capture the rest of the path', () => {
  const router = new Router().get('/files/*path', () => null);
  assert.equal(router.match('GET', '/files/a/b%20c.txt').params.path, 'a/b c.txt');
});

test('wrong method gives 405', () => {
  const router = new Router().post('/items', () => null);
  assert.equal(router.match('GET', '/items').status, 405);
});

test('custom converters', () => {
  registerConverter('hex', (s) => (/^[0-9a-f]+$/.test(s) ? Number.parseInt(s, 16) : undefined));
  const router = new Router().get('/color/:rgb(hex)', () => null);
  assert.deepEqual(router.match('GET', '/color/ff00ff').params, { rgb: 0xff00ff });
});
