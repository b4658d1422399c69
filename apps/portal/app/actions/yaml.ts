'use server';
// "Apply" from the YAML editor, as the signed-in user.
import { applyYaml, type ApplyState } from '@/lib/yaml-apply';
import { assertName } from '@/lib/validate';

export async function applyAction(ns: string, _prev: ApplyState, form: FormData): Promise<ApplyState> {
  const text = String(form.get('yaml') ?? '');
  if (!text.trim()) return { problems: [{ message: 'Paste or write at least one object.' }], text };
  return applyYaml(assertName(ns, 'namespace'), text, form.get('force') === 'on');
}
