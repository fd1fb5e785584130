// Starts a throwaway Bluesky network (PLC directory + reference PDS, no AppView) for the tests,
// prints "PDS_URL=http://localhost:PORT" on stdout once it answers, and runs until SIGTERM/SIGINT.
// From shared/pds/serve.js (issue 15), plus: every server listens on 127.0.0.1 only.
// scripts/pds-test-server.sh runs it; scripts/pds/setup.sh copies it beside node_modules.
const net = require('net')

// The PDS and the PLC directory call listen(port), which binds every interface; nothing here
// is meant to be reached from another machine.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1')
  return listen.apply(this, args)
}

const { TestNetworkNoAppView } = require('@atproto/dev-env')
;(async () => {
  const network = await TestNetworkNoAppView.create({})
  console.log(`PDS_URL=${network.pds.url}`)
  const stop = async () => {
    await network.close()
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
})().catch((e) => {
  console.error(e)
  process.exit(1)
})
