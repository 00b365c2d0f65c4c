// Copyright 2023-2024 Lukas Brandt
// SPDX-License-Identifier: Apache-2.0
'use strict';

const { convert } = require('./params');

const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)(?:\(([a-z]+)\))?$/;
const WILDCARD = /^\*([A-Za-z_][A-Za-z0-9_]*)?$/;

/** Split a path into its non-empty segments. */
function segments(path) {
  return path.split('/').filter((s) => s.length > 0);
}

/** Compile a pattern like `/users/:id(int)/files/*rest` into matcher parts. */
function compile(pattern) {
  const parts = segments(pattern).map((segment, index, all) => {
    let m = PARAM.exec(segment);
    if (m) return { kind: 'param', name: m[1], type: m[2] };
    m = WILDCARD.exec(segment);
    if (m) {
      if (index !== all.length - 1) {
        throw new Error(`wildcard must be the last segment in ${pattern}`);
      }
      return { kind: 'wildcard', name: m[1] || 'wildcard' };
    }
    return { kind: 'literal', value: segment };
  });
  // Literal-heavy routes are more specific and are tried first.
  const score = parts.reduce((acc, p) => acc + (p.kind === 'literal' ? 3 : p.kind === 'param' ? 2 : 0), 0);
  return { pattern, parts, score };
}

function matchParts(parts, pathSegments) {
  const params = {};
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i];
    if (part.kind === 'wildcard') {
      params[part.name] = pathSegments.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    const segment = pathSegments[i];
    if (segment === undefined) return null;
    if (part.kind === 'literal') {
      if (part.value !== segment) return null;
    } else {
      const value = convert(part.type, segment);
      if (value === undefined) return null;
      params[part.name] = value;
    }
  }
  return parts.length === pathSegments.length ? params : null;
}

class Router {
  constructor() {
    this.routes = [];
  }

  add(method, pattern, handler) {
    const route = { method: method.toUpperCase(), handler, ...compile(pattern) };
    this.routes.push(route);
    this.routes.sort((a, b) => b.score - a.score);
    return this;
  }

  get(pattern, handler) { return this.add('GET', pattern, handler); }
  post(pattern, handler) { return this.add('POST', pattern, handler); }
  put(pattern, handler) { return this.add('PUT', pattern, handler); }
  delete(pattern, handler) { return this.add('DELETE', pattern, handler); }

  /** Find the handler for a request; `null` when nothing matches. */
  match(method, path) {
    const wanted = method.toUpperCase();
    const pathSegments = segments(path.split('?')[0]);
    let methodMismatch = false;
    for (const route of this.routes) {
      const params = matchParts(route.parts, pathSegments);
      if (params === null) continue;
      if (route.method !== wanted && !(wanted === 'HEAD' && route.method === 'GET')) {
        methodMismatch = true;
        continue;
      }
      return { handler: route.handler, params, pattern: route.pattern };
    }
    return methodMismatch ? { handler: null, params: {}, status: 405 } : null;
  }

  /** A Node.js `(req, res)` listener dispatching to the routes. */
  listener() {
    return async (req, res) => {
      const found = this.match(req.method, req.url);
      if (!found || !found.handler) {
        res.statusCode = found ? found.status : 404;
        res.end(found ? 'Method Not Allowed' : 'Not Found');
        return;
      }
      try {
        const body = await found.handler(req, found.params);
        if (!res.writableEnded) res.end(typeof body === 'string' ? body : JSON.stringify(body));
      } catch (err) {
        res.statusCode = 500;
        res.end('Internal Server Error');
      }
    };
  }
}

module.exports = { Router, compile, segments };
