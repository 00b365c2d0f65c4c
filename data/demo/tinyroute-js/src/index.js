// Copyright 2023-2024 Lukas Brandt
// SPDX-License-Identifier: Apache-2.0
'use strict';

const { Router, compile } = require('./router');
const { registerConverter } = require('./params');

module.exports = { Router, compile, registerConverter };
