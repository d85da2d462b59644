// The request and response models of Tencent's official Node SDKs (devDependencies), read as data: the China-site
// SDK's .d.ts (a member without "?" is required) and the international SDK's JS classes (whose JSDoc gives each
// member's type, but not whether it is required).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/** A member's type: a scalar, a structure (by name), or an array of either. */
export type ModelType = { kind: 'string' | 'number' | 'boolean' | 'any' } | { kind: 'struct'; name: string } | { kind: 'array'; of: ModelType };

export interface ModelMember {
  name: string;
  type: ModelType;
  /** Undefined when the model does not say (the international SDK). */
  required?: boolean;
  /** The SDK's comment, for the reader; never copied into the catalog. */
  doc: string;
}

export type Models = ReadonlyMap<string, ModelMember[]>;

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

function typeOfNode(node: ts.TypeNode): ModelType {
  if (ts.isArrayTypeNode(node)) return { kind: 'array', of: typeOfNode(node.elementType) };
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    if (name === 'Array' && node.typeArguments?.[0]) return { kind: 'array', of: typeOfNode(node.typeArguments[0]) };
    return { kind: 'struct', name };
  }
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { kind: 'string' };
    case ts.SyntaxKind.NumberKeyword:
      return { kind: 'number' };
    case ts.SyntaxKind.BooleanKeyword:
      return { kind: 'boolean' };
    default:
      return { kind: 'any' };
  }
}

let cn: Models | undefined;
/** tencentcloud-sdk-nodejs (China site): every interface of TRTC's trtc_models.d.ts. */
export function cnModels(): Models {
  if (cn) return cn;
  const file = join(packageDir('tencentcloud-sdk-nodejs'), 'tencentcloud/services/trtc/v20190722/trtc_models.d.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out = new Map<string, ModelMember[]>();
  for (const stmt of source.statements) {
    if (!ts.isInterfaceDeclaration(stmt)) continue;
    out.set(
      stmt.name.text,
      stmt.members.filter(ts.isPropertySignature).map((m) => ({
        name: m.name.getText(source),
        type: m.type ? typeOfNode(m.type) : { kind: 'any' },
        required: !m.questionToken,
        doc: ts.getJSDocCommentsAndTags(m).map((d) => d.getText(source)).join('\n'),
      })),
    );
  }
  return (cn = out);
}

function typeOfJsDoc(text: string): ModelType {
  const t = text.replace(/\s*\|\|\s*null$/, '').trim();
  const array = /^Array\.<(.+)>$/.exec(t);
  if (array) return { kind: 'array', of: typeOfJsDoc(array[1]!) };
  if (t === 'string' || t === 'number' || t === 'boolean') return { kind: t };
  return /^[A-Z]\w*$/.test(t) ? { kind: 'struct', name: t } : { kind: 'any' };
}

let intl: Models | undefined;
/** tencentcloud-sdk-nodejs-intl-en (international site): every class of TRTC's models.js. */
export function intlModels(): Models {
  if (intl) return intl;
  const text = readFileSync(join(packageDir('tencentcloud-sdk-nodejs-intl-en'), 'tencentcloud/trtc/v20190722/models.js'), 'utf8');
  const out = new Map<string, ModelMember[]>();
  for (const cls of text.split(/\nclass /).slice(1)) {
    const name = /^(\w+)/.exec(cls)![1]!;
    const ctor = cls.slice(0, cls.indexOf('deserialize('));
    const members = [...ctor.matchAll(/\/\*\*([\s\S]*?)@type \{(.+?)\}\s*\*\/\s*this\.(\w+) = null;/g)].map(([, doc, type, member]) => ({
      name: member!,
      type: typeOfJsDoc(type!),
      doc: doc!.replace(/^\s*\* ?/gm, '').trim(),
    }));
    out.set(name, members);
  }
  return (intl = out);
}

/** The actions a client of the SDK offers: those with both a Request and a Response model. */
export function actionsOf(models: Models): string[] {
  return [...models.keys()].filter((k) => k.endsWith('Request') && models.has(`${k.slice(0, -7)}Response`)).map((k) => k.slice(0, -7)).sort();
}
