/**
 * One pass over a Python syntax tree: the scopes (module, classes, functions) with the names each
 * binds (assignments and parameter defaults), and the calls and dict literals to look at, each
 * with the scope it is evaluated in. Python's lookup: the innermost scope, then the enclosing
 * functions and the module; a class body is seen only from its own statements.
 */
import type { SyntaxNode, Tree } from '@lezer/common';

export interface Binding {
  /** Where the binding ends: a use at or after it sees it. */
  at: number;
  /** The statement or parameter that binds it (`stride: int = 32`): where a class field's problems are shown. */
  from: number;
  /** The bound expression; undefined for a parameter without a default (the caller decides). */
  value?: SyntaxNode;
  /** The scope the value is evaluated in (a parameter default: the scope around the def). */
  scope: Scope;
}

export interface Scope {
  kind: 'module' | 'function' | 'class';
  parent?: Scope;
  names: Map<string, Binding[]>;
  /** The start of the def's body, to leave the scope at its end. */
  body?: number;
}

export interface ScopedNode {
  node: SyntaxNode;
  scope: Scope;
}

export interface ModuleIndex {
  module: Scope;
  calls: ScopedNode[];
  dicts: ScopedNode[];
  /** Class definitions with the scope of their body (a dataclass's fields are its bindings). */
  classes: ScopedNode[];
}

const BRACKETS = new Set(['(', ')', '[', ']', '{', '}']);

/** The children of a bracketed list (arguments, parameters, dict or list items), split at commas; comments left out. */
export function commaGroups(node: SyntaxNode): SyntaxNode[][] {
  const groups: SyntaxNode[][] = [[]];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name === ',') groups.push([]);
    else if (!BRACKETS.has(child.name) && child.name !== 'Comment') groups[groups.length - 1].push(child);
  }
  return groups.filter((g) => g.length > 0);
}

function bind(scope: Scope, name: string, binding: Binding): void {
  const list = scope.names.get(name);
  if (list) list.push(binding);
  else scope.names.set(name, [binding]);
}

/** `a = b = value` and `a: int = value`; tuple targets and augmented assignments bind nothing we can read. */
function bindAssignment(node: SyntaxNode, scope: Scope, text: string): void {
  const parts: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (child.name !== 'TypeDef' && child.name !== 'Comment') parts.push(child);
  if (parts.length < 3) return;
  const value = parts[parts.length - 1];
  for (let k = 0; k + 1 < parts.length - 1; k += 2) {
    if (parts[k].name === 'VariableName' && parts[k + 1].name === 'AssignOp' && parts[k + 1].to - parts[k + 1].from === 1) {
      bind(scope, text.slice(parts[k].from, parts[k].to), { at: node.to, from: node.from, value, scope });
    }
  }
}

function bindParams(list: SyntaxNode, inner: Scope, outer: Scope, text: string): void {
  for (const group of commaGroups(list)) {
    const parts = group.filter((p) => p.name !== 'TypeDef');
    if (parts[0]?.name !== 'VariableName') continue; // *args, **kwargs, / and * bind nothing readable
    const value = parts.length >= 3 && parts[1].name === 'AssignOp' ? parts[2] : undefined;
    bind(inner, text.slice(parts[0].from, parts[0].to), { at: list.from, from: parts[0].from, value, scope: outer });
  }
}

/** Scopes, calls and dict literals of a parsed module. */
export function indexModule(tree: Tree, text: string): ModuleIndex {
  const module: Scope = { kind: 'module', names: new Map() };
  const scopes: Scope[] = [module];
  const defs: Scope[] = [];
  const calls: ScopedNode[] = [];
  const dicts: ScopedNode[] = [];
  const classes: ScopedNode[] = [];
  const current = () => scopes[scopes.length - 1];
  tree.iterate({
    enter(ref) {
      switch (ref.name) {
        case 'FunctionDefinition':
        case 'ClassDefinition': {
          const scope: Scope = { kind: ref.name === 'ClassDefinition' ? 'class' : 'function', parent: current(), names: new Map() };
          defs.push(scope);
          if (scope.kind === 'class') classes.push({ node: ref.node, scope });
          break;
        }
        case 'ParamList':
          if (defs.length && ref.node.parent?.name === 'FunctionDefinition') bindParams(ref.node, defs[defs.length - 1], current(), text);
          break;
        case 'Body': {
          const owner = ref.node.parent?.name;
          if (defs.length && (owner === 'FunctionDefinition' || owner === 'ClassDefinition')) {
            const scope = defs[defs.length - 1];
            scope.body = ref.from;
            scopes.push(scope);
          }
          break;
        }
        case 'AssignStatement':
          bindAssignment(ref.node, current(), text);
          break;
        case 'CallExpression':
          calls.push({ node: ref.node, scope: current() });
          break;
        case 'DictionaryExpression':
          dicts.push({ node: ref.node, scope: current() });
          break;
      }
    },
    leave(ref) {
      if (ref.name === 'Body' && current().body === ref.from && scopes.length > 1) scopes.pop();
      else if (ref.name === 'FunctionDefinition' || ref.name === 'ClassDefinition') defs.pop();
    },
  });
  return { module, calls, dicts, classes };
}

/**
 * The binding a name has where it is used: in its own scope the last one before the use; in an
 * enclosing scope the last one of all (a function runs after the module has been loaded).
 * Undefined when nothing binds it, or it is bound only after the use.
 */
export function lookup(name: string, scope: Scope, at: number): Binding | undefined {
  let inner = true;
  for (let s: Scope | undefined = scope; s; s = s.parent, inner = false) {
    if (!inner && s.kind === 'class') continue;
    const bindings = s.names.get(name);
    if (!bindings) continue;
    if (!inner) return bindings[bindings.length - 1];
    const before = bindings.filter((b) => b.at <= at);
    return before[before.length - 1];
  }
  return undefined;
}
