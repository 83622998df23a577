'use strict';
// The CommonJS consumer: every subpath through `require`, then exercise.cjs.
const exercise = require('./exercise.cjs');

exercise(
  {
    main: require('handgrad'),
    reference: require('handgrad/reference'),
    gradcheck: require('handgrad/gradcheck'),
    interop: require('handgrad/interop'),
    train: require('handgrad/train'),
    linalg: require('handgrad/linalg'),
  },
  'cjs',
);
