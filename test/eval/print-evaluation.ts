// Prints precision/recall on the held-out corpus: node --import tsx test/eval/print-evaluation.ts
import { Engine } from '../../server/src/engine/engine';
import { evaluateCorpus, formatEvaluation } from './evaluate';

void Engine.create().then((engine) => console.log(formatEvaluation(evaluateCorpus(engine))));
