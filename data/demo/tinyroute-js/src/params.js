// Copyright 2023-2024 Lukas Brandt
// SPDX-License-Identifier: Apache-2.0
'use strict';

/**
 * Converters for typed route parameters, e.g. `/users/:id(int)`.
 * Each converter returns the converted value, or `undefined` when the
 * segment does not match, which makes the whole route not match.
 */
const converters = {
  str(segment) {
    return segment.length > 0 ? segment : undefined;
  },
  int(segment) {
    if (!/^-?\d+$/.test(segment)) return undefined;
    const value = Number.parseInt(segment, 10);
    return Number.isSafeInteger(value) ? value : undefined;
  },
  float(segment) {
    if (!/^-?\d+(\.\d+)?$/.test(segment)) return undefined;
    return Number.parseFloat(segment);
  },
  uuid(segment) {
    const re = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
    return re.test(segment) ? segment.toLowerCase() : undefined;
  },
  slug(segment) {
    return /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(segment) ? segment : undefined;
  },
};

function registerConverter(name, fn) {
  if (typeof fn !== 'function') {
    throw new TypeError(`converter ${name} must be a function`);
  }
  if (Object.prototype.hasOwnProperty.call(converters, name)) {
    throw new Error(`converter ${name} is already registered`);
  }
  converters[name] = fn;
}

function convert(type, segment) {
  const fn = converters[type || 'str'];
  if (!fn) throw new Error(`unknown parameter type: ${type}`);
  return fn(decodeURIComponent(segment));
}

module.exports = { convert, registerConverter, converters };
