import { ZipFile } from 'yazl';
import { readZipEntries } from '../../../cli/bench/zip';

function zip(entries: Record<string, { text: string; compress: boolean }>): Promise<Buffer> {
  const file = new ZipFile();
  for (const [name, entry] of Object.entries(entries)) file.addBuffer(Buffer.from(entry.text), name, { compress: entry.compress });
  file.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    file.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    file.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    file.outputStream.on('error', reject);
  });
}

describe('reading a Lambda zip back', () => {
  it('returns deflated and stored entries byte for byte', async () => {
    const handler = 'exports.handler = async () => "ok";\n'.repeat(50);
    const entries = readZipEntries(await zip({ 'index.js': { text: handler, compress: true }, 'data/x.json': { text: '{}', compress: false } }));
    expect([...entries.keys()].sort()).toEqual(['data/x.json', 'index.js']);
    expect(entries.get('index.js')!.toString()).toBe(handler);
    expect(entries.get('data/x.json')!.toString()).toBe('{}');
  });

  it('says so when the bytes are not a zip', () => {
    expect(() => readZipEntries(Buffer.from('not a zip at all, just some text'))).toThrow(/no end of central directory/);
  });
});
