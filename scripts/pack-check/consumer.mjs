// The ES module consumer: every subpath through `import`, then exercise.cjs.
import * as main from 'handgrad';
import * as reference from 'handgrad/reference';
import * as gradcheck from 'handgrad/gradcheck';
import * as interop from 'handgrad/interop';
import * as train from 'handgrad/train';
import * as linalg from 'handgrad/linalg';
import exercise from './exercise.cjs';

exercise({ main, reference, gradcheck, interop, train, linalg }, 'esm');
