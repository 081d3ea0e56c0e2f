// Every query's binding and row reading is generated at build time (Dapper.AOT's interceptors)
// rather than emitted as IL when first run: less start-up work and memory (run-time Dapper's
// set-up loads the XML and expression-tree libraries), and no code generated at run time. Rows
// are read into their classes by name, snake_case columns onto PascalCase members.
[module: Dapper.DapperAot]
