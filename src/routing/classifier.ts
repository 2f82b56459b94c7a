/**
 * The request classifier (the backend seed's algorithm): how demanding a prompt is, from
 *   60 % its size in tokens (estimated as o200k, the tokenizer of OpenAI's current models, counts them),
 *   20 % lexical complexity (code, technical vocabulary in English and Spanish, maths),
 *   20 % the kind of task (question answering < creative < analysis < coding < reasoning),
 * into simple | moderate | complex | expert. Pure, and cheap enough to run on every request:
 * the size is estimated without tokenizer tables (token-estimate.ts), and long prompts are
 * estimated on a prefix and extrapolated.
 */
import type { ChatMessage } from '../providers/types.js';
import { approximateTokens } from './token-estimate.js';

export type Complexity = 'simple' | 'moderate' | 'complex' | 'expert';
export type TaskType = 'question_answering' | 'creative' | 'analysis' | 'coding' | 'reasoning';

export interface Classification {
  complexity: Complexity;
  /** 0–1: the weighted score the class comes from. */
  score: number;
  /** Prompt tokens (all messages), estimated from a prefix when the prompt is long. */
  estimated_tokens: number;
  features: {
    token_score: number;
    lexical_score: number;
    task_type: TaskType;
    task_score: number;
    code_blocks: number;
    technical_terms: number;
  };
}

export const COMPLEXITIES: readonly Complexity[] = ['simple', 'moderate', 'complex', 'expert'];

/** Characters estimated one by one; beyond, tokens are extrapolated at the prefix's rate. */
const ESTIMATED_PREFIX_CHARS = 32_000;
/** Characters of the last user turn searched for lexical and task signals (the regexes' cost is bounded). */
const LEXICAL_PREFIX_CHARS = 8_000;
/** The token count at which the size component saturates (a long document to work on). */
const SATURATING_TOKENS = 4_000;

/** Word edges that know accented letters (JavaScript's \\b is ASCII-only, even with the u flag). */
const START = '(?<![\\p{L}\\p{N}_])';
const END = '(?![\\p{L}\\p{N}_])';

const TECHNICAL = new RegExp(
  START +
    '(' +
    [
      // English
      'algorithm',
      'complexity',
      'asymptotic',
      'concurren\\w*',
      'mutex',
      'semaphore',
      'deadlock',
      'race condition',
      'latency',
      'throughput',
      'distributed',
      'consensus',
      'kubernetes',
      'docker',
      'microservices?',
      'database',
      'index(es)?',
      'transaction',
      'schema',
      'sql',
      'api',
      'compiler',
      'recursion',
      'recursive',
      'polynomial',
      'derivative',
      'integral',
      'theorem',
      'proof',
      'lemma',
      'eigen\\w*',
      'matrix',
      'vector',
      'probability',
      'bayesian',
      'regression',
      'gradient',
      'neural',
      'transformer',
      'encryption',
      'cryptograph\\w*',
      'protocol',
      'kernel',
      'thread',
      'async\\w*',
      'memory leak',
      'architecture',
      'refactor\\w*',
      'optimi[sz]\\w*',
      'quantum',
      'thermodynamic\\w*',
      'differential',
      // Spanish
      'algoritmo',
      'complejidad',
      'concurrencia',
      'interbloqueo',
      'latencia',
      'distribuido',
      'base de datos',
      'índice',
      'transacción',
      'esquema',
      'compilador',
      'recursi[oó]n',
      'recursivo',
      'polinomio',
      'derivada',
      'integral',
      'teorema',
      'demostraci[oó]n',
      'matriz',
      'vector',
      'probabilidad',
      'regresi[oó]n',
      'gradiente',
      'neuronal',
      'cifrado',
      'criptograf\\w*',
      'protocolo',
      'hilo',
      'arquitectura',
      'optimizaci[oó]n',
      'cu[aá]ntic\\w*',
      'termodin[aá]mic\\w*',
      'diferencial',
      'microservicios?',
    ].join('|') +
    ')' +
    END,
  'giu',
);

/** A task pattern: alternatives matched as whole words (or the literal ``` fence). */
const words = (alternatives: string) => new RegExp(`${START}(${alternatives})${END}`, 'iu');

const TASKS: ReadonlyArray<{ type: TaskType; score: number; pattern: RegExp }> = [
  {
    type: 'reasoning',
    score: 0.95,
    pattern: words(
      'prove|proof|derive|step[- ]by[- ]step|reason(ing)? about|formally|demonstrate that|show that|demuestra|demostrar|razona|paso a paso|deduce|calcula(te)? (the )?(exact|optimal)|optimal strategy|estrategia [oó]ptima',
    ),
  },
  {
    type: 'coding',
    score: 0.75,
    pattern: new RegExp(
      `\`\`\`|${words('code|function|implement\\w*|debug\\w*|bug|compile|refactor\\w*|class|method|script|regex|typescript|javascript|python|rust|golang|java|c\\+\\+|sql query|stack trace|c[oó]digo|funci[oó]n|implementa\\w*|depura\\w*|programa').source}`,
      'iu',
    ),
  },
  {
    type: 'analysis',
    score: 0.6,
    pattern: words(
      'analy[sz]e|analysis|compare|comparison|evaluate|assess|trade-?offs?|pros and cons|critique|review|explain why|analiza\\w*|an[aá]lisis|compara\\w*|eval[uú]a\\w*|ventajas y desventajas|explica por qu[eé]',
    ),
  },
  {
    type: 'creative',
    score: 0.35,
    pattern: words(
      'write (a|an|me) (story|poem|song|essay|letter|tale)|poem|story|lyrics|slogan|brainstorm|imagine|escribe (un|una) (cuento|poema|canci[oó]n|ensayo|carta|historia)|poema|cuento|historia corta|inventa',
    ),
  },
];
const QUESTION_ANSWERING: { type: TaskType; score: number } = { type: 'question_answering', score: 0.1 };

/** 0 → 1 on a log scale: 10 tokens ≈ 0.28, 100 ≈ 0.56, 1,000 ≈ 0.83, 4,000+ = 1. */
export function tokenScore(tokens: number): number {
  if (tokens <= 0) return 0;
  return Math.min(1, Math.log10(tokens + 1) / Math.log10(SATURATING_TOKENS));
}

export function estimateTokens(text: string): number {
  if (text.length <= ESTIMATED_PREFIX_CHARS) return approximateTokens(text);
  const prefix = text.slice(0, ESTIMATED_PREFIX_CHARS);
  return Math.round((approximateTokens(prefix) / prefix.length) * text.length);
}

export function lexicalFeatures(text: string): { score: number; codeBlocks: number; technicalTerms: number } {
  const codeBlocks = Math.floor((text.match(/```/g)?.length ?? 0) / 2);
  const technicalTerms = text.match(TECHNICAL)?.length ?? 0;
  const maths = (text.match(/[=∑∫√≤≥≠±^]|\b\d+\s*[*/^]\s*\d+/g)?.length ?? 0) > 2 ? 1 : 0;
  const inlineCode = /`[^`\n]+`/.test(text) ? 1 : 0;
  const score = Math.min(1, 0.4 * Math.min(1, codeBlocks) + 0.15 * Math.min(4, technicalTerms) + 0.15 * maths + 0.1 * inlineCode);
  return { score, codeBlocks, technicalTerms };
}

export function taskType(text: string): { type: TaskType; score: number } {
  for (const task of TASKS) if (task.pattern.test(text)) return task;
  return QUESTION_ANSWERING;
}

/** Class boundaries on the weighted score. */
const BOUNDARIES: ReadonlyArray<[number, Complexity]> = [
  [0.25, 'simple'],
  [0.45, 'moderate'],
  [0.75, 'complex'],
];

export function complexityOf(score: number): Complexity {
  for (const [below, c] of BOUNDARIES) if (score < below) return c;
  return 'expert';
}

/**
 * Classifies a chat request. The size counts every message (that is what the model reads); the
 * lexical and task signals come from the caller's last user turn (what is being asked now).
 */
export function classify(messages: readonly ChatMessage[]): Classification {
  let tokens = 0;
  for (const m of messages) tokens += estimateTokens(m.content) + 4; // ~4 tokens of chat framing per message
  let lastUser = '';
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') {
      lastUser = messages[i]!.content;
      break;
    }
  }
  const asked = lastUser.length > LEXICAL_PREFIX_CHARS ? lastUser.slice(0, LEXICAL_PREFIX_CHARS) : lastUser;
  const lexical = lexicalFeatures(asked);
  const task = taskType(asked);
  const t = tokenScore(tokens);
  const score = 0.6 * t + 0.2 * lexical.score + 0.2 * task.score;
  return {
    complexity: complexityOf(score),
    score: Math.round(score * 1000) / 1000,
    estimated_tokens: tokens,
    features: {
      token_score: Math.round(t * 1000) / 1000,
      lexical_score: Math.round(lexical.score * 1000) / 1000,
      task_type: task.type,
      task_score: task.score,
      code_blocks: lexical.codeBlocks,
      technical_terms: lexical.technicalTerms,
    },
  };
}
