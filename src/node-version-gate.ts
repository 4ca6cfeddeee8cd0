/**
 * Imported first by an entry whose other imports are static (the ONNX worker): the check runs as
 * this module is evaluated, before the modules imported after it.
 */
import { exitOnUnsupportedNode } from './node-version.ts';

exitOnUnsupportedNode();
