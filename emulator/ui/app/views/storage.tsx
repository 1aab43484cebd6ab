/** Cloud storage: every file with its size, type, owner and upload time, and a preview of the chosen image. */
import { useState } from 'preact/hooks'
import { get } from '../api'
import { ErrorNote, Section, Table, When, useLoad } from '../components'
import { L } from '../i18n'

interface StoredFile {
  fileID: string
  cloudPath: string
  size: number
  contentType: string
  owner: string
  uploadedAt: string
}

const fileUrl = (fileID: string) => `/__sandbox/storage/file?fileID=${encodeURIComponent(fileID)}`

function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

export function Storage() {
  const storage = useLoad(() => get<{ bucket: string; totalBytes: number; files: StoredFile[] }>('/__sandbox/storage'), [], 5000)
  const [chosen, setChosen] = useState<StoredFile | null>(null)
  const files = storage.data?.files ?? []
  return (
    <div class="grid-2">
      <Section title={L('云存储文件', 'Cloud storage files')} actions={<button onClick={storage.reload}>{L('刷新', 'Refresh')}</button>}>
        <ErrorNote error={storage.error} />
        {storage.data && (
          <p class="muted">
            {L('存储桶', 'Bucket')} <code>{storage.data.bucket}</code> · {L(`${files.length} 个文件，共 ${bytes(storage.data.totalBytes)}`, `${files.length} files, ${bytes(storage.data.totalBytes)} in all`)}
          </p>
        )}
        <Table
          rows={files}
          rowKey={(f) => f.fileID}
          testId="storage-table"
          empty={L('还没有文件', 'No files yet')}
          columns={[
            {
              title: L('路径', 'Path'),
              cell: (f) => (
                <button class="link" onClick={() => setChosen(f)} data-testid={`storage-file-${files.indexOf(f)}`}>
                  {f.cloudPath}
                </button>
              ),
            },
            { title: L('大小', 'Size'), cell: (f) => bytes(f.size) },
            { title: L('类型', 'Type'), cell: (f) => <code>{f.contentType}</code> },
            { title: L('上传者', 'Owner'), cell: (f) => <code>{f.owner}</code> },
            { title: L('上传时间', 'Uploaded'), cell: (f) => <When at={f.uploadedAt} /> },
          ]}
        />
      </Section>
      <Section title={L('预览', 'Preview')}>
        {!chosen && <p class="muted">{L('点击左侧的文件。', 'Choose a file on the left.')}</p>}
        {chosen && (
          <>
            <p>
              <code>{chosen.fileID}</code>
            </p>
            {chosen.contentType.startsWith('image/') ? (
              <img class="preview-image" src={fileUrl(chosen.fileID)} alt={chosen.cloudPath} data-testid="storage-preview" />
            ) : (
              <p class="muted">{L('不是图片，无法预览。', 'Not an image: no preview.')}</p>
            )}
            <p>
              <a href={fileUrl(chosen.fileID)} download={chosen.cloudPath.split('/').pop()}>
                {L('下载', 'Download')}
              </a>
            </p>
          </>
        )}
      </Section>
    </div>
  )
}
