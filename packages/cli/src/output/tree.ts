/** A tree printed with box-drawing branches, as oras prints `discover` results. */

/** A node of a printed tree. */
export interface TreeNode {
  /** The node's text. */
  readonly label: string;
  /** Its children, in order. */
  readonly children: TreeNode[];
}

/** Renders a tree: the root's label, then each child on `├── ` / `└── ` branches. */
export function renderTree(root: TreeNode): string {
  const lines = [root.label];
  const walk = (node: TreeNode, prefix: string) => {
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${child.label}`);
      walk(child, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  walk(root, '');
  return `${lines.join('\n')}\n`;
}
