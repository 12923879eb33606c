/**
 * gridweave command line: `gridweave <command> …` (also `npm run cli -- …` and `npx gridweave …`).
 * Every command reads and writes files, prints a one-line JSON summary on stdout and exits 0 on success,
 * 2 on bad input or an infeasible request (reason on stderr), 1 only on an internal error.
 */
import { runCells } from './cells.js'
import { runImport } from './import.js'
import { defaultIO } from './io.js'
import { runMetrics } from './metrics.js'
import { runPartition } from './partition.js'
import { runValidate } from './validate.js'
import { runWorker } from './worker.js'

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  partition: (a) => runPartition(a),
  cells: (a) => runCells(a),
  metrics: (a) => runMetrics(a),
  validate: (a) => runValidate(a),
  import: (a) => runImport(a),
  worker: (a) => runWorker(a),
}

const HELP = `usage: gridweave <command> [options]
  partition <units.geojson> --out grids.geojson [--assign unit_grid.csv] [--id FIELD] [--weight FIELD]
      [--households FIELD] [--min N --max N | --target N --tolerance F] [--nest FIELD]
      [--barriers lines.geojson] [--lock grids.geojson] [--seed N]
  cells <grids.geojson> --out cells.geojson [--assign grid_cell.csv] [--id FIELD] [--weight FIELD]
      [--min 5 --max 6] [--nest FIELD] [--cells N] [--seed N] [--relax] [--community FIELD]
      [--events FIELD] [--lock FIELD] [--codes FIELD] [--renumber]
  validate <file.geojson> [--id FIELD] [--weight FIELD]
  metrics <units.geojson> --assign unit_grid.csv [--id FIELD] [--weight FIELD] [--nest FIELD] [--min N --max N]
  import <file> --layer L [--format geojson|shapefile|csv|osm] [--district CODE] [--mode reject|repair]
      [--crs wgs84|gcj02|bd09] [--id F --population F --households F --parent F --name F --kind F --date F
      --hard F --lon F --lat F | --mapping JSON]      into the database of DATABASE_URL or DATA_DIR
  worker                 process queued jobs on the PostgreSQL of DATABASE_URL until SIGTERM`

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    ;(command === undefined ? defaultIO.stderr : defaultIO.stdout)(HELP)
    return command === undefined ? 2 : 0
  }
  const run = COMMANDS[command]
  if (!run) {
    defaultIO.stderr(`gridweave: unknown command ${JSON.stringify(command)}; expected one of ${Object.keys(COMMANDS).join(', ')}\n${HELP}`)
    return 2
  }
  return run(rest)
}

process.exitCode = await main(process.argv.slice(2))
