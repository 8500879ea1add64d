/** A tree printed with box-drawing branches, as oras prints `discover` results. */
import { printable } from './escape.js';

/** A node of a printed tree. */
export interface TreeNode {
  /** The node's text. */
  readonly label: string;
  /** Its children, in order. */
  readonly children: TreeNode[];
}

/**
 * Renders a tree: the root's label, then each child on `├── ` / `└── ` branches, labels with
 * their control characters escaped. Walks with an explicit stack, so a deep tree cannot overflow
 * the call stack.
 */
export function renderTree(root: TreeNode): string {
  const lines = [printable(root.label)];
  const stack: { node: TreeNode; prefix: string; next: number }[] = [{ node: root, prefix: '', next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const i = top.next++;
    const child = top.node.children[i];
    if (child === undefined) {
      stack.pop();
      continue;
    }
    const last = i === top.node.children.length - 1;
    lines.push(`${top.prefix}${last ? '└── ' : '├── '}${printable(child.label)}`);
    stack.push({ node: child, prefix: `${top.prefix}${last ? '    ' : '│   '}`, next: 0 });
  }
  return `${lines.join('\n')}\n`;
}
