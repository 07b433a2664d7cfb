-- Neovim (0.7+) headless as an LSP client of `atlas-lens lsp --stdio`: open the file given on the
-- command line, wait (poll) for the published diagnostics, request a hover on the first one,
-- print them, and exit 0 only when the expectations in $EXPECT_RULE / $EXPECT_TEXT are met.
-- 0.7 has no vim.lsp.start (0.8+): vim.lsp.start_client + buf_attach_client; files on the command
-- line are loaded after this init file, hence VimEnter.
-- No remote-plugin providers: probing for them (python3 -c 'import neovim', …) when the Python
-- filetype loads cost ~20 s on a busy machine.
vim.g.loaded_python3_provider = 0
vim.g.loaded_node_provider = 0
vim.g.loaded_ruby_provider = 0
vim.g.loaded_perl_provider = 0
local cli = assert(os.getenv('ATLAS_LENS_CLI'), 'ATLAS_LENS_CLI not set')
local expect_rule = os.getenv('EXPECT_RULE') or 'torch-load-unsafe'
local expect_hover = os.getenv('EXPECT_HOVER') or 'AML.T0011.000'
local t0 = vim.loop.hrtime()
local function out(s) io.stdout:write(string.format('[%5.0f ms] ', (vim.loop.hrtime() - t0) / 1e6) .. s .. '\n') end
local function finish(ok) vim.cmd(ok and 'qall!' or 'cquit! 1') end

vim.api.nvim_create_autocmd('VimEnter', { callback = function()
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'atlas-lens',
    cmd = { 'node', cli, 'lsp', '--stdio' },
    root_dir = vim.fn.getcwd(),
  })
  if not client_id then out('ERROR: the client did not start'); return finish(false) end
  vim.lsp.buf_attach_client(buf, client_id)
  local function ours()
    local list = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.source == 'atlas-lens' then table.insert(list, d) end
    end
    return list
  end
  if not vim.wait(90000, function() return #ours() > 0 end, 50) then
    out('ERROR: no diagnostics within 90 s'); return finish(false)
  end
  local ok, first = false, nil
  for _, d in ipairs(ours()) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or ''
    out(string.format('DIAG %d:%d %s [%s] %s', d.lnum + 1, d.col + 1, vim.diagnostic.severity[d.severity], code, d.message))
    if code == expect_rule then ok = true; first = first or d end
  end
  if not ok then out('ERROR: no ' .. expect_rule .. ' diagnostic'); return finish(false) end
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = first.lnum, character = first.col + 1 } }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 10000) or {}
  local hover = ''
  for _, r in pairs(responses) do
    if r.result and r.result.contents then hover = hover .. (r.result.contents.value or vim.inspect(r.result.contents)) end
  end
  out('HOVER ' .. (hover:gsub('\n', ' '):sub(1, 300)))
  if not hover:find(expect_hover, 1, true) then out('ERROR: the hover does not name ' .. expect_hover); return finish(false) end
  vim.lsp.stop_client(client_id)
  finish(true)
end })
