/**
 * The "Findings" tree view (activity bar container "ATLAS Lens"): the server's workspace snapshot
 * grouped by ./findings-tree-model.ts, with severity icons, counts, a click that opens the
 * finding, context-menu actions (Apply Fix, Suppress on This Line, Show Technique) and the
 * grouping / filter state, mirrored into context keys for the view's title-bar actions.
 */
import * as vscode from 'vscode';
import type { WorkspaceFinding, WorkspaceFindingsResult } from '../../server/src/lsp/protocol';
import { buildFindingsTree, filterFindings, hasBaseline, type TreeFilter, type TreeMode, type TreeNode } from './findings-tree-model';

export const FINDINGS_VIEW = 'atlasLens.findings';

export const ContextKeys = {
  grouping: 'atlasLens.findingsGrouping',
  hasBaseline: 'atlasLens.hasBaseline',
  newOnly: 'atlasLens.newOnly',
  techniqueFilter: 'atlasLens.techniqueFilter',
} as const;

/** `viewItem` values (package.json `menus.view/item/context`). */
export const ViewItems = {
  tactic: 'tactic',
  technique: 'technique',
  file: 'file',
  finding: 'finding',
  fixableFinding: 'finding.fixable',
} as const;

/** What the tests read: the tree as the view shows it. */
export interface TreeItemSnapshot {
  label: string;
  description: string;
  icon?: string;
  iconColor?: string;
  contextValue?: string;
  command?: string;
  /** The arguments of `command`, as a click passes them. */
  commandArguments?: unknown[];
  children: TreeItemSnapshot[];
}

export interface TreeSnapshot {
  mode: TreeMode;
  filter: TreeFilter;
  message?: string;
  items: TreeItemSnapshot[];
}

const SEVERITY_ICON = {
  error: ['error', 'problemsErrorIcon.foreground'],
  warning: ['warning', 'problemsWarningIcon.foreground'],
  info: ['info', 'problemsInfoIcon.foreground'],
} as const;

export function toVscodeRange(range: WorkspaceFinding['range']): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

/** The technique id a command argument names: a string, or a tree node. */
export function techniqueOfArgument(argument: unknown): string | undefined {
  if (typeof argument === 'string') return argument;
  if (argument && typeof argument === 'object' && typeof (argument as TreeNode).techniqueId === 'string') return (argument as TreeNode).techniqueId;
  return undefined;
}

export class FindingsTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private snapshot: WorkspaceFindingsResult | undefined;
  private nodes: TreeNode[] = [];
  private readonly parents = new Map<TreeNode, TreeNode>();
  mode: TreeMode = 'tactic';
  filter: TreeFilter = {};
  readonly view: vscode.TreeView<TreeNode>;

  constructor() {
    this.view = vscode.window.createTreeView(FINDINGS_VIEW, { treeDataProvider: this, showCollapseAll: true });
    this.rebuild();
  }

  get findings(): readonly WorkspaceFinding[] {
    return this.snapshot?.findings ?? [];
  }

  get matrix(): WorkspaceFindingsResult['matrix'] | undefined {
    return this.snapshot?.matrix;
  }

  setSnapshot(snapshot: WorkspaceFindingsResult): void {
    this.snapshot = snapshot;
    if (!hasBaseline(snapshot.findings)) this.filter = { ...this.filter, newOnly: false };
    this.rebuild();
  }

  setMode(mode: TreeMode): void {
    this.mode = mode;
    this.rebuild();
  }

  setFilter(filter: TreeFilter): void {
    this.filter = filter;
    this.rebuild();
  }

  private rebuild(): void {
    this.nodes = this.snapshot
      ? buildFindingsTree(this.snapshot, { mode: this.mode, filter: this.filter, displayPath: (uri) => vscode.workspace.asRelativePath(vscode.Uri.parse(uri), (vscode.workspace.workspaceFolders?.length ?? 0) > 1) })
      : [];
    this.parents.clear();
    const walk = (node: TreeNode): void => node.children.forEach((child) => { this.parents.set(child, node); walk(child); });
    this.nodes.forEach(walk);
    const total = filterFindings(this.findings, this.filter).length;
    const parts = [
      this.filter.technique ? `Technique ${this.filter.technique}` : undefined,
      this.filter.newOnly ? 'new since the baseline' : undefined,
    ].filter(Boolean);
    this.view.message = parts.length > 0 ? `Showing ${parts.join(', ')}: ${total} finding${total === 1 ? '' : 's'}.` : undefined;
    this.view.badge = total > 0 ? { value: total, tooltip: `${total} ATLAS Lens finding${total === 1 ? '' : 's'}` } : undefined;
    void vscode.commands.executeCommand('setContext', ContextKeys.grouping, this.mode);
    void vscode.commands.executeCommand('setContext', ContextKeys.hasBaseline, hasBaseline(this.findings));
    void vscode.commands.executeCommand('setContext', ContextKeys.newOnly, this.filter.newOnly === true);
    void vscode.commands.executeCommand('setContext', ContextKeys.techniqueFilter, this.filter.technique !== undefined);
    this.changed.fire(undefined);
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return node ? node.children : this.nodes;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return this.parents.get(node);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const collapsed = node.kind === 'finding' ? vscode.TreeItemCollapsibleState.None
      : node.kind === 'tactic' || (node.kind === 'file' && this.mode === 'file') || this.filter.technique ? vscode.TreeItemCollapsibleState.Expanded
      : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, collapsed);
    item.id = node.id;
    item.description = node.description;
    const [icon, color] = SEVERITY_ICON[node.severity];
    if (node.kind === 'file') {
      item.resourceUri = vscode.Uri.parse(node.uri!);
      item.iconPath = vscode.ThemeIcon.File;
      item.contextValue = ViewItems.file;
    } else {
      item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    }
    if (node.kind === 'tactic') item.contextValue = ViewItems.tactic;
    if (node.kind === 'technique') item.contextValue = node.techniqueId ? ViewItems.technique : undefined;
    if (node.kind === 'finding' && node.finding) {
      const finding = node.finding;
      item.contextValue = finding.fix ? ViewItems.fixableFinding : ViewItems.finding;
      const tooltip = new vscode.MarkdownString();
      tooltip.appendText(`${finding.severity}: ${finding.message}`);
      tooltip.appendMarkdown(`\n\n\`${finding.ruleId}\` · ${finding.techniques.join(', ') || 'no ATLAS technique'}${finding.fix ? ` · fix: ${finding.fix.title}` : ''}${finding.newSinceBaseline ? ' · new since the baseline' : ''}`);
      item.tooltip = tooltip;
      item.command = {
        title: 'Open Finding',
        command: 'vscode.open',
        arguments: [vscode.Uri.parse(finding.uri), { selection: toVscodeRange(finding.range), preserveFocus: false } satisfies vscode.TextDocumentShowOptions],
      };
    }
    return item;
  }

  /** The first node of the tree (to reveal the view on). */
  first(): TreeNode | undefined {
    return this.nodes[0];
  }

  describe(): TreeSnapshot {
    const describe = (node: TreeNode): TreeItemSnapshot => {
      const item = this.getTreeItem(node);
      const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath : undefined;
      return {
        label: String(item.label),
        description: String(item.description ?? ''),
        icon: icon?.id,
        iconColor: icon && node.kind !== 'file' ? SEVERITY_ICON[node.severity][1] : undefined,
        contextValue: item.contextValue,
        command: item.command?.command,
        commandArguments: item.command?.arguments,
        children: node.children.map(describe),
      };
    };
    return { mode: this.mode, filter: { ...this.filter }, message: this.view.message, items: this.nodes.map(describe) };
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }
}
