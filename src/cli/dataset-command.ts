import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { writeSeedDataset } from '../dataset/hdf5.js';
import { scaleChip } from '../recognize/features.js';
import { medianSize } from '../recognize/median.js';
import { toUbyte } from '../recognize/resize.js';
import { InputError, parse, UsageError } from './args.js';
import { readChipsForCommand } from './read-chips.js';

export const datasetUsage = `facetag dataset export OUT.h5 [--labels DIR] [--config FILE]
  Writes the labelled chips in the seed's HDF5 layout: every chip scaled to the median size,
  'labels' (N, 1) fixed-length ASCII and 'images' (H, W, N) uint8 grey.`;

export async function datasetCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { labels: { type: 'string' }, config: { type: 'string' } });
  const [action, out, ...extra] = positionals;
  if (action !== 'export' || !out || extra.length) throw new UsageError('usage: facetag dataset export OUT.h5');
  const config = loadConfig(values.config ? { file: values.config } : {});
  const labelsDir = values.labels ?? join(config.dataDir, 'labels');
  const chips = await readChipsForCommand(labelsDir);
  const size = medianSize(chips);
  const nonAscii = chips.find((c) => !/^[\x20-\x7e]+$/.test(c.label));
  if (nonAscii)
    throw new InputError(
      `label ${JSON.stringify(nonAscii.label)} is not ASCII; the seed's HDF5 layout stores ASCII labels`,
    );
  await writeSeedDataset(
    out,
    chips.map((c) => {
      const scaled = scaleChip(c, { chipWidth: size.width, chipHeight: size.height });
      return { label: c.label, width: scaled.width, height: scaled.height, pixels: toUbyte(scaled.data) };
    }),
  );
  process.stdout.write(
    `${out}: ${chips.length} chips of ${size.width}x${size.height}, ${new Set(chips.map((c) => c.label)).size} labels\n`,
  );
  // Skipped chips were reported above; the dataset holds every readable one, as train uses them.
  return 0;
}
